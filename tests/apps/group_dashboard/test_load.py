"""The load-test driver counts what it should: requests per kind, and errors.

The dashboard is served in this process by werkzeug behind the Connect-like
frontend (``make load`` uses gunicorn through the runner; this checks the
driver, not the server). Bounded: a few visitors, a few requests each.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from scripts.perf.load_dashboard import report, run_load
from scripts.perf.loopback import LoopbackClient
from scripts.runner.frontend import ConnectLikeFrontend
from tests.support.apps import app_built_with

PREFIX = "/content/load-test/"


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {
        "CONNECTKIT_TRUSTED_FRONTEND": "local-runner",  # as the runner sets it
        "DASH_REQUESTS_PATHNAME_PREFIX": PREFIX,
        "DASHBOARD_ROWS": "20000",
        "DASHBOARD_DUCKDB": str(tmp_path_factory.mktemp("db") / "sales.duckdb"),
    }
    with app_built_with("group-dashboard", env) as module:
        yield module.app.server


@pytest.fixture
def serve(dashboard_server: Any) -> Iterator[Any]:
    servers = []

    def start(credentials: str | None) -> str:
        frontend = ConnectLikeFrontend(dashboard_server, PREFIX, credentials)
        server = make_server("127.0.0.1", 0, frontend, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}{PREFIX}"

    yield start
    for server in servers:
        server.shutdown()


def test_members_load_without_errors(serve: Any) -> None:
    url = serve(json.dumps({"user": "load", "groups": ["admins"]}))
    tally = run_load(url, visitors=4, duration=30, think=0, max_requests=3)
    assert tally.errors == []
    assert {k: len(v) for k, v in tally.latencies.items()} == {
        "index": 4, "_dash-layout": 4, "_dash-dependencies": 4, "update": 12
    }  # fmt: skip
    assert "24 requests (24 req/s), 0 errors" in report(tally, 4, 1.0)


def test_refused_requests_are_counted_as_errors(serve: Any) -> None:
    url = serve(None)  # anonymous: the gate answers 403
    tally = run_load(url, visitors=2, duration=30, think=0, max_requests=2)
    assert len(tally.errors) == 2 * 5 and all("HTTP 403" in e for e in tally.errors)


@pytest.mark.parametrize(
    "url", ["http://example.com/", "https://127.0.0.1/", "http://10.0.0.1:80/"]
)
def test_clients_refuse_anything_but_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="not a loopback http URL"):
        LoopbackClient(url)
