"""A small stand-in for the Connect API's user and group look-ups, on loopback.

Answers ``GET /__api__/v1/users/{guid}`` and ``/__api__/v1/groups/{guid}``
from dicts, checks the ``Authorization: Key ...`` header, and records each
request. ``behaviour="slow"`` holds every answer until the server stops
(a client must time out); ``"error"`` answers 500.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

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
