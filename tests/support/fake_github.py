"""GitHub's issue-comments API, enough for scripts.preview.github: list (paged), create, update.

    with fake_github(comments) as environ:   # GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL
        scripts.preview.github.main(["fetch", ...], environ)

Comments it creates are written by ``github-actions[bot]``, as a job token's are.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from scripts.preview.github import ACTIONS_BOT, PAGE_SIZE

ACTIONS_USER = {"login": ACTIONS_BOT, "type": "Bot"}
TOKEN = "gh-token"


class FakeGitHub(BaseHTTPRequestHandler):
    comments: ClassVar[list[dict[str, Any]]] = []

    def _reply(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> dict[str, Any]:
        return dict(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

    def do_GET(self) -> None:
        page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
        self._reply(200, self.comments[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])

    def do_POST(self) -> None:
        assert self.headers["Authorization"] == f"Bearer {TOKEN}"
        comment = {"id": len(self.comments) + 1, "user": ACTIONS_USER, **self._body()}
        comment["html_url"] = f"https://github.example/c/{comment['id']}"
        self.comments.append(comment)
        self._reply(201, comment)

    def do_PATCH(self) -> None:
        comment = next(c for c in self.comments if self.path.endswith(f"/comments/{c['id']}"))
        comment.update(self._body())
        self._reply(200, comment)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def fake_github(comments: list[dict[str, Any]]) -> Iterator[dict[str, str]]:
    """Serve ``comments`` (kept and changed in place) on a free port; the environment to use."""
    FakeGitHub.comments = comments
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": "team/monorepo",
            "GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
        }
    finally:
        server.shutdown()
        server.server_close()
