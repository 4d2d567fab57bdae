"""The preview comment: what reviewers read, and the record the next run reads back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from scripts.preview import github as preview_github
from scripts.preview.comment import MARKER, Draft, PreviewRecord, RecordError, parse, render
from scripts.preview.github import PAGE_SIZE, find_comment

DRAFT = Draft(
    app="hello",
    content_name="repo-hello",
    guid="0f4e2a8c-0000-4000-8000-000000000001",
    bundle_id="7",
    url="https://connect.example.com/content/0f4e2a8c-0000-4000-8000-000000000001/_bundle7/",
)


def test_comment_lists_each_draft_and_what_was_left_out() -> None:
    record = PreviewRecord(
        pr=12,
        commit="abcdef1234567",
        drafts=[DRAFT],
        unchanged=["multi-page"],
        missing=["new-report"],
        failed={"broken": "rsconnect --draft failed (exit 1): build failed"},
        leftover=[Draft("old", "repo-old", "guid-old", "3", "https://c.example/x/")],
    )
    text = render(record)
    assert "Earlier drafts not deleted yet (retried on the next run): old 3" in text
    assert text.startswith(MARKER + "\n")
    assert "`abcdef1`" in text
    assert f"| `hello` | [open the draft]({DRAFT.url}) | `repo-hello` | 7 |" in text
    assert "Unchanged (no draft): `multi-page`" in text
    assert "`new-report`" in text and "deploy main first" in text
    assert "**`broken` failed**: rsconnect --draft failed" in text
    assert parse(text) == record


def test_a_value_cannot_end_the_hidden_record_early() -> None:
    record = PreviewRecord(pr=3, failed={"x": "server said --> <b>no</b>"})
    text = render(record)
    hidden = text[text.index("<!-- connect-preview-record") :]
    assert hidden.count("-->") == 1
    assert parse(text) == record


def test_no_record_and_a_broken_record() -> None:
    assert parse("a person's comment") is None
    with pytest.raises(RecordError, match=r"pr-3\.md: the preview record is not valid"):
        parse('<!-- connect-preview-record {"pr": 3, "drafts": [{"app": 1}]} -->', "pr-3.md")


def test_closed_comment_says_the_drafts_are_gone() -> None:
    text = render(PreviewRecord(pr=4, commit="1234567", closed=True))
    assert "closed: its draft bundles were deleted" in text
    assert "open the draft" not in text


def test_only_a_bot_comment_with_the_marker_is_the_preview_comment() -> None:
    person = {"id": 1, "user": {"type": "User"}, "body": f"quoting {MARKER}"}
    other_bot = {"id": 2, "user": {"type": "Bot"}, "body": "coverage report"}
    ours = {"id": 3, "user": {"type": "Bot"}, "body": render(PreviewRecord(pr=5))}
    assert find_comment([person, other_bot, ours]) == ours
    assert find_comment([person, other_bot]) is None


class FakeGitHub(BaseHTTPRequestHandler):
    """GitHub's issue-comments API, enough for preview_github: list, create, update."""

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
        assert self.headers["Authorization"] == "Bearer gh-token"
        comment = {"id": len(self.comments) + 1, "user": {"type": "Bot"}, **self._body()}
        comment["html_url"] = f"https://github.example/c/{comment['id']}"
        self.comments.append(comment)
        self._reply(201, comment)

    def do_PATCH(self) -> None:
        comment = next(c for c in self.comments if self.path.endswith(f"/comments/{c['id']}"))
        comment.update(self._body())
        self._reply(200, comment)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def github(tmp_path: Path) -> Iterator[dict[str, str]]:
    # A full first page of people's comments: the preview comment is on page 2.
    FakeGitHub.comments = [
        {"id": i, "user": {"type": "User"}, "body": "LGTM", "html_url": ""}
        for i in range(1, PAGE_SIZE + 1)
    ]
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "GITHUB_TOKEN": "gh-token",
            "GITHUB_REPOSITORY": "team/monorepo",
            "GITHUB_API_URL": f"http://127.0.0.1:{server.server_address[1]}",
        }
    finally:
        server.shutdown()
        server.server_close()


def test_one_comment_posted_then_updated_in_place(github: dict[str, str], tmp_path: Path) -> None:
    fetched = tmp_path / "fetched.md"
    assert preview_github.main(["fetch", "--pr", "7", "--file", str(fetched)], github) == 0
    assert not fetched.exists()  # no preview comment yet
    comment = tmp_path / "pr-7.md"
    for commit in ("1111111", "2222222"):
        comment.write_text(render(PreviewRecord(pr=7, commit=commit, drafts=[DRAFT])))
        assert preview_github.main(["post", "--pr", "7", "--file", str(comment)], github) == 0
    ours = [c for c in FakeGitHub.comments if MARKER in c["body"]]
    assert len(ours) == 1 and "`2222222`" in ours[0]["body"]
    assert preview_github.main(["fetch", "--pr", "7", "--file", str(fetched)], github) == 0
    record = parse(fetched.read_text())
    assert record is not None and record.commit == "2222222" and record.drafts == [DRAFT]


def test_missing_token_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = preview_github.main(["fetch", "--pr", "7", "--file", str(tmp_path / "x.md")], {})
    assert code == 2
    assert "GITHUB_TOKEN and GITHUB_REPOSITORY not set" in capsys.readouterr().err
