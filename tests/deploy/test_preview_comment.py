"""The preview comment: what reviewers read, and the record the next run reads back."""

from __future__ import annotations

import pytest

from scripts.ship.preview_comment import MARKER, Draft, PreviewRecord, RecordError, parse, render
from scripts.ship.preview_github import find_comment

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
    )
    text = render(record)
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
