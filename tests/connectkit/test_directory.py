"""GUID mode: names resolved through the Connect API, cached, with a short
timeout, and the GUID shown whenever resolution fails.

Name resolution itself runs against a Connect server (the stand-in, or a real
one under ``make test-connect``). The cache, timeout and failure tests are unit
tests of ``Directory`` and use the small fake at the end of this module: they
count the requests it receives and need a server that never answers or always
fails, which no Connect can be asked to do.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest
from connectkit import create_app, group_display_names, visitor_display_name
from connectkit.directory import Directory, DirectorySettings, current_directory, directory_settings
from connectkit.identity import USE_GUIDS_ENV
from connectkit.visitor import Mode, Visitor
from dash import html

from tests.support.connect_server import ConnectServer, ConnectServers, known_principals

ALICE = "6f300623-1e0c-48e6-a473-ddf630c0c0c3"
ANALYSTS = "0b8a1e2c-7d5f-4c3a-9e6b-2f1d4a8c9b70"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
GUID_VISITOR = Visitor(ALICE, (ANALYSTS, UNKNOWN), Mode.GUIDS)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def directory(url: str, api_key: str = "test-key", **settings: Any) -> Directory:
    return Directory(DirectorySettings(server=url, api_key=api_key, **settings))


def test_settings_come_from_the_environment_connect_gives_content() -> None:
    environ = {"CONNECT_SERVER": " https://c.example/ ", "CONNECT_API_KEY": "k"}
    settings = directory_settings(environ)
    assert (settings.server, settings.api_key, settings.configured) == (
        "https://c.example/",
        "k",
        True,
    )
    assert not directory_settings({"CONNECT_SERVER": "https://c.example/"}).configured


def test_names_are_resolved_and_cached() -> None:
    with fake_connect(users={ALICE: "alice"}, groups={ANALYSTS: "analysts"}) as fake:
        found = directory(fake.url)
        assert visitor_display_name(GUID_VISITOR, found) == "alice"
        assert group_display_names(GUID_VISITOR, found) == ("analysts", UNKNOWN)
        assert fake.requests == [
            f"/__api__/v1/users/{ALICE}",
            f"/__api__/v1/groups/{ANALYSTS}",
            f"/__api__/v1/groups/{UNKNOWN}",
        ]
        # served from the cache, the unknown GUID included
        assert visitor_display_name(GUID_VISITOR, found) == "alice"
        assert group_display_names(GUID_VISITOR, found) == ("analysts", UNKNOWN)
        assert found.user_name(ALICE.upper()) == "alice"
        assert len(fake.requests) == 3


def test_cache_entries_expire() -> None:
    clock = FakeClock()
    with fake_connect(users={ALICE: "alice"}) as fake:
        found = Directory(
            DirectorySettings(fake.url, "test-key", ttl_s=100, failure_ttl_s=10), clock=clock
        )
        assert found.user_name(ALICE) == "alice"
        assert found.user_name(UNKNOWN) is None
        clock.now += 11  # the failure may be retried, the success not yet
        found.user_name(ALICE), found.user_name(UNKNOWN)
        assert len(fake.requests) == 3
        clock.now += 100
        found.user_name(ALICE)
        assert len(fake.requests) == 4


def test_the_cache_is_bounded() -> None:
    with fake_connect(users={ALICE: "alice"}) as fake:
        found = directory(fake.url, max_entries=2)
        for guid in (ALICE, UNKNOWN, ANALYSTS):
            found.user_name(guid)
        found.user_name(ALICE)  # evicted first, so asked again
        assert fake.requests.count(f"/__api__/v1/users/{ALICE}") == 2


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("behaviour", ["slow", "error"])
def test_a_slow_or_failing_server_gives_the_guids_back(
    behaviour: str, caplog: pytest.LogCaptureFixture
) -> None:
    with fake_connect(users={ALICE: "alice"}, behaviour=behaviour) as fake:  # type: ignore[arg-type]
        found = directory(fake.url, timeout_s=0.2)
        assert visitor_display_name(GUID_VISITOR, found) == ALICE
        assert group_display_names(GUID_VISITOR, found) == (ANALYSTS, UNKNOWN)
        # failures are cached too; a server that did not answer is not asked again for
        # a while (connect_api.UNANSWERED): a slow one costs one timeout, not one per GUID
        assert visitor_display_name(GUID_VISITOR, found) == ALICE
        assert len(fake.requests) == (1 if behaviour == "slow" else 3)
    expected = "ReadTimeout" if behaviour == "slow" else "internal error"
    assert any(expected in r.getMessage() for r in caplog.records), caplog.text


def test_concurrent_lookups_of_one_guid_share_one_api_call() -> None:
    with fake_connect(users={ALICE: "alice"}, behaviour="slow") as fake:
        found = directory(fake.url, timeout_s=1.0)
        start = threading.Barrier(4)
        names: list[str | None] = []

        def look_up() -> None:
            start.wait()
            names.append(found.user_name(ALICE))

        threads = [threading.Thread(target=look_up) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert names == [None] * 4
        assert fake.requests == [f"/__api__/v1/users/{ALICE}"]


def test_wrong_key_or_unreachable_server_gives_the_guid_back() -> None:
    with fake_connect(users={ALICE: "alice"}) as fake:
        assert directory(fake.url, api_key="wrong").user_name(ALICE) is None
        assert fake.requests == [f"/__api__/v1/users/{ALICE}"]
    assert directory(_closed_port_url()).user_name(ALICE) is None


def test_no_lookup_without_settings_in_names_mode_or_for_a_non_guid() -> None:
    with fake_connect(users={ALICE: "alice"}) as fake:
        assert Directory(DirectorySettings()).user_name(ALICE) is None
        found = directory(fake.url)
        names = Visitor("alice", ("analysts",))
        assert visitor_display_name(names, found) == "alice"
        assert group_display_names(names, found) == ("analysts",)
        assert found.user_name("alice") is None
        assert fake.requests == []


def _layout_for_guid_named_visitor(
    api_url: str, user: str = ALICE, api_key: str = "test-key", **settings: str
) -> str:
    """The layout a trusted app with the Connect API at hand serves to ``user``."""
    environ = {
        "RSTUDIO_PRODUCT": "CONNECT",
        "CONNECT_SERVER": api_url,
        "CONNECT_API_KEY": api_key,
        **settings,
    }
    app = create_app("directory_test", title="GUIDs", layout=html.P("x"), environ=environ)
    header = json.dumps({"user": user, "groups": [ANALYSTS]})
    response = app.server.test_client().get(
        "/_dash-layout", headers={"RStudio-Connect-Credentials": header}
    )
    return json.dumps(response.get_json())


@pytest.fixture(scope="module")
def server(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    with connect_server.start("directory") as started:
        yield started


def test_names_resolve_through_connects_api(server: ConnectServer) -> None:
    known = known_principals(server)
    found = directory(server.url, server.api_key)
    visitor = Visitor(known.user_guid, (known.group_guid, UNKNOWN), Mode.GUIDS)
    assert visitor_display_name(visitor, found) == known.username
    assert group_display_names(visitor, found) == (known.group_name, UNKNOWN)


def test_navbar_shows_the_resolved_name(server: ConnectServer) -> None:
    known = known_principals(server)
    layout = _layout_for_guid_named_visitor(
        server.url, known.user_guid, server.api_key, **{USE_GUIDS_ENV: "true"}
    )
    assert json.dumps(known.username) in layout and known.user_guid not in layout


def test_on_a_server_that_sends_names_a_guid_like_name_is_that_name() -> None:
    # Someone whose user name is alice's GUID must not be shown as alice.
    with fake_connect(users={ALICE: "alice"}) as fake:
        layout = _layout_for_guid_named_visitor(fake.url)
        assert '"alice"' not in layout and json.dumps(ALICE) in layout
        assert fake.requests == []  # names mode never asks the directory


def test_current_directory_is_the_serving_apps_or_an_unconfigured_one() -> None:
    environ = {"CONNECT_SERVER": "https://c.example/", "CONNECT_API_KEY": "k"}
    app = create_app("directory_accessor", title="D", layout=html.P("x"), environ=environ)
    with app.server.app_context():
        assert current_directory().settings.server == "https://c.example/"
        assert current_directory() is current_directory()  # one per app: one cache
    assert not current_directory().settings.configured  # outside an app


# -- the fake for the Directory's own unit tests (see the module's docstring) -------------

Behaviour = Literal["ok", "slow", "error"]
_PATH = re.compile(r"^/__api__/v1/(?P<kind>users|groups)/(?P<guid>[^/?]+)$")


@dataclass
class FakeConnect:
    url: str
    api_key: str
    users: dict[str, str]  # guid -> username
    groups: dict[str, str]  # guid -> group name
    behaviour: Behaviour
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(fake: FakeConnect) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            if fake.behaviour == "slow":
                fake.release.wait()
                return
            if fake.behaviour == "error":
                return self._reply(500, {"code": 0, "error": "internal error"})
            if self.headers.get("Authorization") != f"Key {fake.api_key}":
                return self._reply(401, {"code": 30, "error": "invalid API key"})
            match = _PATH.match(self.path)
            if not match:
                return self._reply(404, {"code": 3, "error": "unknown endpoint"})
            guid = match["guid"]
            if match["kind"] == "users" and guid in fake.users:
                return self._reply(200, {"guid": guid, "username": fake.users[guid]})
            if match["kind"] == "groups" and guid in fake.groups:
                return self._reply(200, {"guid": guid, "name": fake.groups[guid]})
            return self._reply(404, {"code": 4, "error": "not found"})

        def _reply(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean; requests are recorded instead

    return Handler


@contextmanager
def fake_connect(
    users: dict[str, str] | None = None,
    groups: dict[str, str] | None = None,
    behaviour: Behaviour = "ok",
    api_key: str = "test-key",
) -> Iterator[FakeConnect]:
    """Serve the fake on a free loopback port until the block ends."""
    fake = FakeConnect("", api_key, dict(users or {}), dict(groups or {}), behaviour)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
