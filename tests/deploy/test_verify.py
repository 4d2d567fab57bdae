"""Post-deploy verification: 200 with the Dash index, anything else fails the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from scripts.deploy.api import plain_session
from scripts.deploy.retry import RetryPolicy
from scripts.deploy.target import Target
from scripts.deploy.verify import VerifyError, verify_content, verify_vanity

KEY = "verify-key"
PAGES = {
    "/dash/": (200, '<div id="react-entry-point"></div><script id="_dash-config"></script>'),
    "/plain/": (200, "<p>maintenance page</p>"),
    "/missing/": (404, "not found"),
    "/gated/": (403, "members only"),
    "/gated/health": (200, "ok"),
    "/gated-down/": (403, "members only"),
    "/gated-down/health": (502, "bad gateway"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = PAGES.get(self.path, (404, "not found"))
        if self.headers.get("Authorization") != f"Key {KEY}":
            status, body = 401, "key missing"
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A retry-free session, closed after the test (keep-alive sockets included)."""
    with plain_session(RetryPolicy(attempts=1)) as opened:
        yield opened


@pytest.mark.parametrize(
    ("path", "problem"),
    [("/dash/", None), ("/plain/", "not with a Dash index page"), ("/missing/", "HTTP 404")],
)
def test_verify(origin: str, session: requests.Session, path: str, problem: str | None) -> None:
    target = Target(origin, KEY)
    if problem is None:
        verify_content(session, origin + path, target)
    else:
        with pytest.raises(VerifyError, match=problem):
            verify_content(session, origin + path, target)


def test_a_gated_app_is_verified_through_its_health_route(
    origin: str, session: requests.Session
) -> None:
    target = Target(origin, KEY)
    assert "health route answered 200" in verify_content(
        session, origin + "/gated/", target, gated=True
    )
    with pytest.raises(VerifyError, match="HTTP 403"):  # not gated: a 403 is a failure
        verify_content(session, origin + "/gated/", target)
    with pytest.raises(VerifyError, match=r"health answered HTTP 502"):
        verify_content(session, origin + "/gated-down/", target, gated=True)


def test_a_vanity_url_must_reach_the_dash_index(origin: str) -> None:
    session, target = plain_session(RetryPolicy(attempts=1)), Target(origin, KEY)
    assert "answered 200" in verify_vanity(session, origin + "/dash/", target)
    assert "group gate answered 403" in verify_vanity(
        session, origin + "/gated/", target, gated=True
    )
    with pytest.raises(VerifyError, match=r"vanity URL .*/missing/ answered HTTP 404"):
        verify_vanity(session, origin + "/missing/", target)
    with pytest.raises(VerifyError, match=r"answered HTTP 403"):
        verify_vanity(session, origin + "/gated/", target)  # not gated: 403 is a failure


def test_preflight_against_something_else_says_so_once(origin: str) -> None:
    from scripts.deploy.api import connect_client
    from scripts.deploy.preflight import PreflightError, preflight

    target = Target(origin, KEY)
    client = connect_client(target, RetryPolicy(attempts=1), connect_retries=0)
    with pytest.raises(PreflightError) as raised:
        preflight(client, target)
    message = str(raised.value)
    assert "is this the Connect server URL?" in message
    assert "(404)" not in message and KEY not in message
