"""The preview comment: what reviewers read, and the record the next run reads back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.preview import github as preview_github
from scripts.preview.comment import (
    DRAFTS,
    MARKER,
    Draft,
    Preview,
    PreviewRecord,
    RecordError,
    parse,
    render,
)
from scripts.preview.github import APP_ID_SETTING, AUTHOR_SETTING, PAGE_SIZE, Author, find_comment
from tests.support.fake_github import ACTIONS_USER, FakeGitHub, fake_github

OLD_GUID = "0f4e2a8c-0000-4000-8000-000000000002"
PREVIEW = Preview("hello", "repo-pr4-hello", OLD_GUID, f"https://c.example/content/{OLD_GUID}/")
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
        mode=DRAFTS,
        drafts=[DRAFT],
        unchanged=["multi-page"],
        missing=["new-report"],
        failed={"broken": "rsconnect --draft failed (exit 1): build failed"},
        leftover=[Draft("old", "repo-old", OLD_GUID, "3", "https://c.example/x/")],
    )
    text = render(record)
    assert "Earlier drafts not deleted yet (retried on the next run): old 3" in text
    assert text.startswith(MARKER + "\n")
    assert "`abcdef1`" in text
    assert f"| `hello` | [open the draft]({DRAFT.url}) | `repo-hello` | 7 |" in text
    assert "Unchanged (no new upload): `multi-page`" in text
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


def test_closed_comment_says_the_previews_are_gone() -> None:
    text = render(PreviewRecord(pr=4, commit="1234567", closed=True, previews=[PREVIEW]))
    assert "closed: its previews were deleted" in text
    assert "open the" not in text


def test_preview_items_are_listed_with_what_has_no_preview_value() -> None:
    record = PreviewRecord(pr=4, previews=[PREVIEW], unset={"hello": ["DATABASE_URL"]})
    text = render(record)
    assert f"| `hello` | [open the preview]({PREVIEW.url}) | `repo-pr4-hello` |" in text
    assert "`hello`: no preview value for `DATABASE_URL` (left unset" in text
    assert parse(text) == record


GOOD = {"app": "hello", "content_name": "repo-hello", "guid": DRAFT.guid, "bundle_id": "7"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bundle_id", f"../../{OLD_GUID}"),  # DELETE v1/content/<guid> after dot removal
        ("bundle_id", f"%2e%2e/%2e%2e/{OLD_GUID}"),
        ("bundle_id", "7?x=1"),
        ("bundle_id", "7\n"),
        ("bundle_id", 7),
        ("guid", f"{OLD_GUID}/bundles/1"),
        ("guid", "../permissions"),
        ("guid", OLD_GUID.upper() + "x"),
        ("app", "../hello"),
        ("content_name", "a/b"),
        ("url", "javascript:alert(1)"),
        ("url", "https://c.example/x) [click](https://evil.example"),
    ],
)
def test_a_forged_field_refuses_the_whole_record(field: str, value: object) -> None:
    draft = {**GOOD, "url": DRAFT.url, field: value}
    forged = json.dumps({"pr": 3, "mode": "drafts", "drafts": [draft]})
    with pytest.raises(RecordError, match=f"{field} = .*refused"):
        parse(f"<!-- connect-preview-record {forged} -->", "pr-3.md")


@pytest.mark.parametrize(
    "data",
    [{"pr": 0}, {"pr": "3"}, {"pr": 3, "commit": "x; rm"}, {"pr": 3, "server": "ftp://x"}],
)
def test_forged_record_headers_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(RecordError, match="refused"):
        parse(f"<!-- connect-preview-record {json.dumps(data)} -->")


def test_outside_text_cannot_open_a_comment_a_code_span_or_a_second_record() -> None:
    smuggled = PreviewRecord(pr=3, mode=DRAFTS, drafts=[DRAFT]).to_json()
    why = f"boom --> `x` <!-- connect-preview-record {smuggled} --> <script>"
    text = render(PreviewRecord(pr=3, failed={"x": why}))
    shown = next(line for line in text.splitlines() if line.startswith("**`x` failed**"))
    assert "<" not in shown and ">" not in shown and shown.count("`") == 2
    assert "&lt;!-- connect-preview-record" in shown
    assert text.count("<!-- connect-preview-record") == 1
    record = parse(text)
    assert record is not None and record.drafts == [] and record.failed == {"x": why}


def test_a_text_with_two_records_is_refused() -> None:
    one = render(PreviewRecord(pr=3, mode=DRAFTS, drafts=[DRAFT]))
    with pytest.raises(RecordError, match="holds 2 preview records"):
        parse(one + one, "pr-3.md")


def test_only_the_workflows_own_latest_comment_is_the_preview_comment() -> None:
    ours = render(PreviewRecord(pr=5))
    person = {"id": 1, "user": {"login": "mallory", "type": "User"}, "body": ours}
    other_bot = {"id": 2, "user": {"login": "coverage[bot]", "type": "Bot"}, "body": ours}
    quoting = {"id": 3, "user": ACTIONS_USER, "body": f"a report quoting {MARKER}"}
    first = {"id": 4, "user": ACTIONS_USER, "body": ours}
    latest = {"id": 9, "user": ACTIONS_USER, "body": ours + " "}
    assert find_comment([person, other_bot, quoting, latest, first]) == latest
    assert find_comment([person, other_bot, quoting]) is None


def test_a_github_app_identity_is_checked_by_login_and_app_id() -> None:
    body = render(PreviewRecord(pr=5))
    author = Author("previewer[bot]", 4242)
    impostor = {"id": 1, "user": {"login": "previewer[bot]", "type": "Bot"}, "body": body}
    ours = {**impostor, "id": 2, "performed_via_github_app": {"id": 4242}}
    assert find_comment([impostor, ours], author) == ours
    assert find_comment([impostor], author) is None
    env = {AUTHOR_SETTING: "previewer[bot]", APP_ID_SETTING: "4242"}
    assert Author.from_environ(env) == author
    with pytest.raises(KeyError, match="numeric id"):
        Author.from_environ({APP_ID_SETTING: "previewer"})


@pytest.fixture
def github() -> Iterator[dict[str, str]]:
    # A full first page of people's comments: the preview comment is on page 2.
    people = [
        {"id": i, "user": {"login": "rev", "type": "User"}, "body": "LGTM", "html_url": ""}
        for i in range(1, PAGE_SIZE + 1)
    ]
    with fake_github(people) as environ:
        yield environ


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
