"""GitHub's REST API for repository settings, answering from a table of recorded answers.

    with fake_settings_api({"branches/main/protection": (200, {...}), ...}) as environ:
        scripts.checks.github_settings.main([], environ)

Paths are relative to ``repos/<owner>/<repo>/``; a path not in the table answers
404 ``{"message": "Not Found"}``, as GitHub does. Every request must carry the token.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.fake_github import FakeGitHub

REPOSITORY = "team/monorepo"
TOKEN = "settings-token"
Answers = Mapping[str, tuple[int, Any]]


@contextmanager
def fake_settings_api(answers: Answers) -> Iterator[dict[str, str]]:
    """Serve ``answers`` on a free port; the environment that points the check at it."""
    prefix = f"/repos/{REPOSITORY}/"

    class Handler(FakeGitHub):  # its JSON replies; GET answers from the table instead
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._reply(401, {"message": "Bad credentials"})
            elif path.startswith(prefix) and path[len(prefix) :] in answers:
                self._reply(*answers[path[len(prefix) :]])
            else:
                self._reply(404, {"message": "Not Found"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
        }
    finally:
        server.shutdown()
        server.server_close()
