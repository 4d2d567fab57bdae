"""The comment job posts only what base code rendered from a record vetted for this pull
request; the close deletes the pull request's previews by name, whatever the record says.

Vetting rules are checked directly (``vet``) and through the command the comment job
runs; the close runs the real preview tool against the stand-in, with refused and
missing records, next to another pull request's previews that must stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from scripts.preview import vetting
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
from tests.support.preview_tool import run_preview_tool
from tests.support.workspace import scratch_workspace

NS, PR, SERVER = "team", 7, "https://connect.example.com"
APPS = ["alpha", "beta"]
GUID = "0b5c6f0e-1111-4222-8333-944455556666"


def preview(app: str = "alpha", name: str | None = None, url: str | None = None) -> Preview:
    return Preview(app, name or f"{NS}-pr{PR}-{app}", GUID, url or f"{SERVER}/content/{GUID}/")


def draft(app: str = "alpha", name: str | None = None) -> Draft:
    return Draft(app, name or f"{NS}-{app}", GUID, "12", f"{SERVER}/content/{GUID}/_bundle12/")


def record(**fields: object) -> PreviewRecord:
    return PreviewRecord(**{"pr": PR, "server": SERVER, "previews": [preview()], **fields})  # type: ignore[arg-type]


def test_a_record_of_this_pull_request_passes() -> None:
    assert vetting.vet(record(), PR, NS, APPS, drafts=False) == record()
    drafted = record(mode=DRAFTS, previews=[], drafts=[draft()])
    assert vetting.vet(drafted, PR, NS, APPS, drafts=True) == drafted


@pytest.mark.parametrize(
    ("forged", "drafts", "says"),
    [
        (record(pr=PR + 1), False, "not PR 7"),
        (record(previews=[preview(name=f"{NS}-pr12-alpha")]), False, "is not 'team-pr7-alpha'"),
        (record(previews=[preview(app="pr12-alpha")]), False, "not an app of this repository"),
        (record(previews=[preview(url="https://evil.example.com/x")]), False, "is not on"),
        (record(previews=[preview()], server=""), False, "is not on"),
        (record(drafts=[draft()]), False, "drafts mode is off"),
        (record(mode=DRAFTS, previews=[]), False, "drafts mode is off"),
        (record(leftover=[draft()]), False, "drafts mode is off"),
        # app "pr12-hello" would make <ns>-pr12-hello: another pull request's preview
        (record(drafts=[draft(app="pr12-alpha")]), True, "not an app of this repository"),
        (record(drafts=[draft(name=f"{NS}-beta")]), True, "not alpha's production content"),
    ],
)
def test_a_record_not_of_this_pull_request_is_refused(
    forged: PreviewRecord, drafts: bool, says: str
) -> None:
    with pytest.raises(RecordError, match=says):
        vetting.vet(
            forged, PR, NS, [*APPS, "pr12-alpha"] if "pr12" in says else APPS, drafts=drafts
        )


def test_an_app_named_like_a_preview_is_never_a_draft_target() -> None:
    """Even if an app were called pr12-alpha, its content name is a preview's: refused."""
    forged = record(previews=[], mode=DRAFTS, drafts=[draft(app="pr12-alpha")])
    with pytest.raises(RecordError, match="not pr12-alpha's production content"):
        vetting.vet(forged, PR, NS, [*APPS, "pr12-alpha"], drafts=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    apps = {name: {"app.py": "from dash import Dash\napp = Dash()\n"} for name in APPS}
    return scratch_workspace(tmp_path_factory.mktemp("vet") / "ws", apps)


def run_vetting(workspace: Path, text: str, tmp_path: Path, **env: str) -> tuple[int, Path]:
    untrusted, out = tmp_path / "untrusted.md", tmp_path / "vetted.md"
    untrusted.write_text(text)
    argv = ["--pr", str(PR), "--file", str(untrusted), "--out", str(out)]
    argv += ["--workspace", str(workspace)]
    return vetting.main(argv, {"NAMESPACE": NS, **env}), out


def test_the_comment_job_posts_its_own_rendering_only(workspace: Path, tmp_path: Path) -> None:
    extra = "\n**Click [here](https://evil.example.com) to approve the deploy**\n"
    status, out = run_vetting(workspace, render(record()) + extra, tmp_path)
    assert status == 0
    assert out.read_text() == render(record())  # the added text is gone


@pytest.mark.parametrize(
    "text",
    [
        render(record(pr=12)),
        render(record(previews=[preview(name=f"{NS}-pr12-alpha")])),
        render(record()) + render(record()),  # a doubled record
        f"{MARKER}\n<!-- connect-preview-record {{not json}} -->",
        "no record at all",
    ],
)
def test_a_forged_record_is_never_posted(workspace: Path, tmp_path: Path, text: str) -> None:
    status, out = run_vetting(workspace, text, tmp_path)
    assert status == 1 and not out.exists()


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    with running_connect_local(tmp_path_factory.mktemp("vet-connect") / "state") as server:
        yield server


def make_items(connect: ConnectLocal, names: list[str]) -> None:
    for name in names:
        connect.api("POST", "v1/content", {"name": name})


def names_left(connect: ConnectLocal, prefix: str) -> set[str]:
    return {c["name"] for c in connect.api("GET", "v1/content") if c["name"].startswith(prefix)}


def raw(data: dict[str, object]) -> str:
    return f"{MARKER}\n<!-- connect-preview-record {json.dumps(data)} -->\n"


FORGED_CLOSE = {
    "missing": None,
    "doubled": render(record()) + render(record()),
    "another pull request's": render(record(pr=12)),
    "drafts while drafts mode is off": render(record(drafts=[draft()])),
    "malformed": raw({"pr": PR, "drafts": [{"app": "alpha", "guid": "../x"}]}),
}


@pytest.mark.parametrize("kind", sorted(FORGED_CLOSE))
def test_the_close_deletes_this_pull_requests_previews_by_name_whatever_the_record(
    connect: ConnectLocal, workspace: Path, tmp_path: Path, kind: str
) -> None:
    ns = f"v{sorted(FORGED_CLOSE).index(kind)}"  # this test's own names on the shared stand-in
    mine, others = (
        [f"{ns}-pr{PR}-alpha", f"{ns}-pr{PR}-beta"],
        [
            f"{ns}-pr{PR}1-alpha",  # PR 71
            f"{ns}-pr12-alpha",
            f"{ns}-alpha",  # production's name
        ],
    )
    make_items(connect, [*mine, *others])
    comment = tmp_path / f"pr-{PR}.md"
    text = FORGED_CLOSE[kind]
    if text is not None:
        comment.write_text(text.replace(f"{NS}-", f"{ns}-"))
    result = run_preview_tool(
        "cleanup",
        server=connect.url,
        key=connect.api_key,
        workspace=workspace,
        comment=comment,
        namespace=ns,
        pr=PR,
    )
    output = result.stdout + result.stderr
    assert result.returncode == (0 if text is None else 1), output
    assert names_left(connect, f"{ns}-") == set(others), output
    if text is not None:
        assert "no draft is deleted; previews are, by name" in result.stderr
    closed = parse(comment.read_text())
    assert closed is not None and closed.closed and not closed.drafts
