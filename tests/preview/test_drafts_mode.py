"""The opt-in drafts mode (``PREVIEW_DRAFTS=1``) against a Connect server (the stand-in, or a
real one under ``make test-connect CONNECT_SERVER=...``), with the real rsconnect CLI, and
forged records of every kind, each refused with nothing deleted.

A scratch workspace holds three small apps: ``alpha`` and ``beta`` are
deployed first (as main would be), then ``alpha`` changes and ``gamma`` is new
(never deployed). The module's steps build on each other, in file order:
preview -> look at the drafts (HTTP, Chromium) -> a later push -> cleanup ->
forged records (while a real, deletable draft of beta made by hand exists).

Every content name carries the run's prefix (``NAMESPACE``). On a real server the
deployer is the suite's key; what needs a second user with a key of their own (the
viewer vic, the publisher pat and pat's content) or an injected build failure is
not applicable there, and says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from scripts.browser.smoke import AppPage
from scripts.bundle.build import rsconnect_executable
from scripts.catalog import REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, DeployedContent
from scripts.deploy.invoke import run_deploy_tool
from scripts.preview import github as preview_github
from scripts.preview.comment import DRAFTS, MARKER, Draft, PreviewRecord, parse, render
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    RemoteContent,
    not_applicable,
    prefixed,
)
from tests.support.fake_github import fake_github
from tests.support.preview_tool import run_preview_tool
from tests.support.workspace import scratch_workspace

# The stand-in's deployer (a publisher, owner of the content); a real server's is the suite's key.
API_KEY = f"preview-key-{uuid.uuid4().hex}"
VIEWER_KEY = f"viewer-key-{uuid.uuid4().hex}"
OTHER_KEY = f"other-key-{uuid.uuid4().hex}"  # another publisher
NAMESPACE = prefixed("pv")
PR = 41
HELLO_APP = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()
LIVE_HEADING = 'html.H1("Hello, Connect")'


# Open to everyone when live: the draft must still be for its editors only.
DEPLOY_TABLE = '\n[tool.monorepo.deploy]\naccess_type = "all"\n'


def app_source(heading: str) -> str:
    assert LIVE_HEADING in HELLO_APP
    return HELLO_APP.replace(LIVE_HEADING, f'html.H1("{heading}")')


def set_heading(workspace: Path, app: str, heading: str) -> None:
    (workspace / "apps" / app / "app.py").write_text(app_source(heading))


@dataclass
class PreviewRun:
    result: subprocess.CompletedProcess[str]
    comment: Path
    text: str  # the comment as this run left it (a later run rewrites the file)

    @property
    def record(self) -> PreviewRecord:
        record = parse(self.text)
        assert record is not None, self.explain()
        return record

    def explain(self) -> str:
        return f"exit {self.result.returncode}\n{self.result.stdout}\n{self.result.stderr}"


def run_preview(action: str, connect: ConnectServer, workspace: Path, comment: Path) -> PreviewRun:
    result = run_preview_tool(
        action,
        server=connect.url,
        key=connect.api_key,
        workspace=workspace,
        comment=comment,
        namespace=NAMESPACE,
        pr=PR,
        env={"COMMIT": "c0ffee0123", "PREVIEW_DRAFTS": "1"},
    )
    return PreviewRun(result, comment, comment.read_text() if comment.exists() else "")


def content(connect: ConnectServer, app: str) -> dict[str, Any]:
    return connect.content_by_name(f"{NAMESPACE}-{app}")


def viewer_key(connect: ConnectServer) -> str:
    """vic's key: a viewer with a key of their own exists on the stand-in only."""
    if not connect.is_stand_in:
        not_applicable(
            "needs a viewer's own API key (vic): the stand-in makes users with keys from its "
            "command line; Connect's API cannot mint a key for another user"
        )
    return VIEWER_KEY


def layout_of(url: str, key: str) -> tuple[int, str]:
    """(status, body) of the Dash layout of the app at ``url``, asked with ``key``."""
    request = urllib.request.Request(url + "_dash-layout", headers={"Authorization": f"Key {key}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:  # closes its socket
            return error.code, error.read().decode(errors="replace")


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    users = [("vic", "viewer", VIEWER_KEY), ("pat", "publisher", OTHER_KEY)]
    with connect_server.start("preview-drafts", api_key=API_KEY, users=users) as server:
        yield server


@pytest.fixture(scope="module")
def workspace(connect: ConnectServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alpha and beta deployed as main has them; then alpha changes, gamma is new."""
    names = ("alpha", "beta", "gamma")
    apps = {name: {"app.py": app_source(f"{name} live")} for name in names}
    root = scratch_workspace(tmp_path_factory.mktemp("preview") / "ws", apps)
    for name in names:  # after the lock: a [tool] table does not change it
        with (root / "apps" / name / "pyproject.toml").open("a") as pyproject:
            pyproject.write(DEPLOY_TABLE)
    work = tmp_path_factory.mktemp("deploy")
    deploy = run_deploy_tool(
        connect.url,
        connect.api_key,
        work,
        "--workspace",
        str(root),
        "alpha",
        "beta",
        env={"NAMESPACE": NAMESPACE},
    )
    assert deploy.result.returncode == 0, deploy.explain()
    assert "note: no team groups in [tool.monorepo.team]: acl apps open for" in deploy.output
    set_heading(root, "alpha", "alpha draft one")
    return root


@pytest.fixture(scope="module")
def active_before(connect: ConnectServer, workspace: Path) -> dict[str, str]:
    return {app: content(connect, app)["bundle_id"] for app in ("alpha", "beta")}


@pytest.fixture(scope="module")
def first(connect: ConnectServer, workspace: Path, active_before: dict[str, str]) -> PreviewRun:
    comment = workspace.parent / "comment" / f"pr-{PR}.md"
    return run_preview("preview", connect, workspace, comment)


def test_only_the_changed_app_gets_a_draft(first: PreviewRun, connect: ConnectServer) -> None:
    assert first.result.returncode == 0, first.explain()
    record = first.record
    assert [d.app for d in record.drafts] == ["alpha"]
    assert record.unchanged == ["beta"]
    assert record.missing == ["gamma"]  # reported, not created
    assert connect.api("GET", f"v1/content?name={NAMESPACE}-gamma") == []
    draft, alpha = record.drafts[0], content(connect, "alpha")
    assert draft.guid == alpha["guid"]
    assert draft.url == f"{connect.url}/content/{alpha['guid']}/_bundle{draft.bundle_id}/"
    text = first.text
    assert text.startswith(MARKER) and f"[open the draft]({draft.url})" in text
    assert "`c0ffee0`" in text


def test_the_active_bundles_are_unchanged(
    first: PreviewRun, connect: ConnectServer, active_before: dict[str, str]
) -> None:
    assert {app: content(connect, app)["bundle_id"] for app in active_before} == active_before
    draft = first.record.drafts[0]
    bundle = connect.api("GET", f"v1/content/{draft.guid}/bundles/{draft.bundle_id}")
    assert bundle["active"] is False
    live = content(connect, "alpha")["content_url"]
    assert "alpha live" in layout_of(live, connect.api_key)[1]
    status, layout = layout_of(draft.url, connect.api_key)
    assert status == 200 and "alpha draft one" in layout


def test_the_draft_is_refused_to_a_viewer(first: PreviewRun, connect: ConnectServer) -> None:
    draft = first.record.drafts[0]
    live = content(connect, "alpha")["content_url"]
    assert layout_of(live, viewer_key(connect))[0] == 200  # alpha is open to all...
    status, layout = layout_of(draft.url, viewer_key(connect))
    assert status == 403 and "alpha draft" not in layout  # ...its draft is not


@contextmanager
def browsing_as(browser: Any, key: str) -> Iterator[None]:
    """Chromium sends ``Authorization: Key`` on every request (the session's driver is shared)."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Key {key}"}}
    )
    try:
        yield
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


def draft_page(connect: ConnectServer, draft: Draft) -> DeployedContent | RemoteContent:
    """What ``AppPage`` opens for a draft: with the draft process's log on the stand-in."""
    name = f"{NAMESPACE}-alpha draft"
    if not isinstance(connect, ConnectLocal):
        return RemoteContent(name, draft.url, connect.url)
    log = connect.state_dir / "content" / draft.guid / "bundles" / draft.bundle_id / "app.log"
    return DeployedContent(name, draft.url, connect.url, log)


@pytest.mark.browser
def test_the_draft_opens_in_chromium_for_its_editor(
    first: PreviewRun, connect: ConnectServer, browser: Any
) -> None:
    draft = first.record.drafts[0]
    with browsing_as(browser, connect.api_key):
        page = AppPage(browser, draft_page(connect, draft), "preview-draft-editor").open()  # type: ignore[arg-type]
        page.check()
        assert page.text("h1") == "alpha draft one"


@pytest.mark.browser
def test_the_draft_is_refused_in_chromium_to_a_viewer(
    first: PreviewRun, connect: ConnectServer, browser: Any
) -> None:
    draft = first.record.drafts[0]
    with browsing_as(browser, viewer_key(connect)):
        browser.get(draft.url)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "alpha draft" not in body
        assert "do not have access" in body, body
        assert not browser.find_elements(By.ID, "react-entry-point")


@pytest.fixture(scope="module")
def second(first: PreviewRun, connect: ConnectServer, workspace: Path) -> PreviewRun:
    set_heading(workspace, "alpha", "alpha draft two")
    return run_preview("preview", connect, workspace, first.comment)


def test_a_later_push_replaces_the_draft(
    first: PreviewRun, second: PreviewRun, connect: ConnectServer
) -> None:
    assert second.result.returncode == 0, second.explain()
    old, new = first.record.drafts, second.record.drafts
    assert [d.app for d in new] == ["alpha"] and new[0].bundle_id != old[0].bundle_id
    status, _ = connect.request(
        "GET", f"__api__/v1/content/{old[0].guid}/bundles/{old[0].bundle_id}"
    )
    assert status == 404, "the superseded draft was not deleted"
    assert "alpha draft two" in layout_of(new[0].url, connect.api_key)[1]


def bundle_status(connect: ConnectServer, guid: str, bundle_id: str) -> int:
    return connect.request("GET", f"__api__/v1/content/{guid}/bundles/{bundle_id}")[0]


@pytest.fixture(scope="module")
def outsider_draft(second: PreviewRun, connect: ConnectServer) -> tuple[str, str]:
    """A draft of beta someone made by hand: in no record, so cleanup must leave it."""
    beta = content(connect, "beta")["guid"]
    before = {b["id"] for b in connect.api("GET", f"v1/content/{beta}/bundles")}
    bundle = second.comment.parent / "bundles" / "beta"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    command = [rsconnect_executable(), "deploy", "dash", "--draft", "--app-id", beta]
    result = subprocess.run(
        [*command, "--entrypoint", "app:app", str(bundle)],
        env={**environ, "CONNECT_SERVER": connect.url, "CONNECT_API_KEY": connect.api_key},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    made = [b for b in connect.api("GET", f"v1/content/{beta}/bundles") if b["id"] not in before]
    assert len(made) == 1 and not made[0]["active"], made
    return beta, str(made[0]["id"])


@pytest.fixture(scope="module")
def cleanup(
    second: PreviewRun, outsider_draft: tuple[str, str], connect: ConnectServer, workspace: Path
) -> PreviewRun:
    return run_preview("cleanup", connect, workspace, second.comment)


def test_cleanup_deletes_exactly_the_recorded_drafts(
    second: PreviewRun,
    cleanup: PreviewRun,
    outsider_draft: tuple[str, str],
    connect: ConnectServer,
    active_before: dict[str, str],
) -> None:
    assert cleanup.result.returncode == 0, cleanup.explain()
    draft = second.record.drafts[0]
    assert bundle_status(connect, draft.guid, draft.bundle_id) == 404
    assert bundle_status(connect, *outsider_draft) == 200
    assert {app: content(connect, app)["bundle_id"] for app in active_before} == active_before
    live = content(connect, "alpha")["content_url"]
    assert "alpha live" in layout_of(live, connect.api_key)[1]
    assert cleanup.record.closed and not cleanup.record.drafts
    assert "its previews were deleted" in cleanup.text


def test_cleanup_twice_deletes_nothing_more(
    cleanup: PreviewRun, connect: ConnectServer, workspace: Path
) -> None:
    again = run_preview("cleanup", connect, workspace, cleanup.comment)
    assert again.result.returncode == 0, again.explain()
    assert "nothing to delete" in again.result.stdout


def test_cleanup_leaves_content_the_deployer_does_not_own(
    connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    """A record naming another user's content (an edited comment) deletes nothing there:
    an app the repository does not have is refused before the server is asked, and
    another owner's content under a real app's name is refused by the server check."""
    name = prefixed("pats-report")
    theirs = connect.api_as(OTHER_KEY, "POST", "v1/content", {"name": name})
    connect.api_as(OTHER_KEY, "PATCH", f"v1/content/{theirs['guid']}", {"access_type": "all"})
    draft = Draft("intruder", name, theirs["guid"], "1", theirs["content_url"])
    comment = tmp_path / f"pr-{PR}.md"
    comment.write_text(render(PreviewRecord(pr=PR, drafts=[draft])))
    run = run_preview("cleanup", connect, workspace, comment)
    assert run.result.returncode == 1, run.explain()
    assert "draft of 'intruder': not an app of this repository; refused" in run.result.stderr
    assert connect.api_as(OTHER_KEY, "GET", f"v1/content/{theirs['guid']}")["name"] == name
    as_beta = Draft("beta", f"{NAMESPACE}-beta", theirs["guid"], "1", theirs["content_url"])
    comment.write_text(render(PreviewRecord(pr=PR, mode=DRAFTS, drafts=[as_beta])))
    run = run_preview("cleanup", connect, workspace, comment)
    assert run.result.returncode == 1, run.explain()
    assert "is not the deployer's own; not deleted" in run.result.stdout
    assert run.record.leftover == [as_beta] and not run.record.closed  # still listed


def test_a_failed_build_is_reported_and_changes_nothing(
    cleanup: PreviewRun,
    connect: ConnectServer,
    workspace: Path,
    tmp_path: Path,
    active_before: dict[str, str],
) -> None:
    connect.fail_builds(1)  # alpha still differs from its active bundle: its build fails
    try:
        run = run_preview("preview", connect, workspace, tmp_path / f"pr-{PR}.md")
    finally:
        connect.clear_faults()
    assert run.result.returncode == 1, run.explain()
    assert not run.record.drafts and list(run.record.failed) == ["alpha"]
    assert "build failed (injected fault)" in run.record.failed["alpha"]
    assert "**`alpha` failed**" in run.text
    assert {app: content(connect, app)["bundle_id"] for app in active_before} == active_before


# -- forged records: each is refused, and every content item and bundle stays ---------------


def everything(connect: ConnectServer) -> dict[str, tuple[str | None, list[str]]]:
    """Every content item of the deployer and of pat: GUID -> (active bundle, bundle ids).
    On a real server (no pat there) the deployer's items of this run: the rest of a
    shared server changes meanwhile, and no forged record names it."""
    found = {}
    keys = (connect.api_key, OTHER_KEY) if connect.is_stand_in else (connect.api_key,)
    for key in keys:
        me = connect.api_as(key, "GET", "v1/user")["guid"]
        for item in connect.api_as(key, "GET", "v1/content"):
            ours = connect.is_stand_in or str(item["name"]).startswith(prefixed(""))
            if item["owner_guid"] == me and ours:
                bundles = connect.api_as(key, "GET", f"v1/content/{item['guid']}/bundles")
                found[item["guid"]] = (item.get("bundle_id"), sorted(b["id"] for b in bundles))
    return found


@dataclass(frozen=True)
class Targets:
    """What a forged record aims at: the hand-made draft of beta (deletable if trusted),
    beta's active bundle, alpha's content and another user's content."""

    beta: str
    hand_made_draft: str
    beta_active: str
    alpha: str
    theirs: str | None  # None on a real server: pat (a second user with a key) is the stand-in's

    def their_guid(self) -> str:
        if self.theirs is None:
            not_applicable(
                "aims at another user's content: needs pat's own API key, which the stand-in "
                "makes from its command line and Connect's API cannot mint"
            )
        return self.theirs


@pytest.fixture(scope="module")
def targets(
    cleanup: PreviewRun, outsider_draft: tuple[str, str], connect: ConnectServer
) -> Targets:
    theirs = None
    if connect.is_stand_in:
        made = connect.api_as(OTHER_KEY, "POST", "v1/content", {"name": prefixed("pats-dashboard")})
        connect.api_as(OTHER_KEY, "PATCH", f"v1/content/{made['guid']}", {"access_type": "all"})
        theirs = made["guid"]
    beta = content(connect, "beta")
    return Targets(
        beta["guid"], outsider_draft[1], beta["bundle_id"], content(connect, "alpha")["guid"],
        theirs,
    )  # fmt: skip


def raw_record(guid: str, bundle_id: str, app: str = "alpha") -> str:
    """A record as a forger writes it: JSON by hand, no checks."""
    draft = {
        "app": app,
        "content_name": f"{NAMESPACE}-{app}",
        "guid": guid,
        "bundle_id": bundle_id,
        "url": f"http://127.0.0.1/content/{guid}/",
    }
    record = {"pr": PR, "mode": "drafts", "drafts": [draft]}
    return f"{MARKER}\n<!-- connect-preview-record {json.dumps(record)} -->\n"


def draft_of(guid: str, bundle_id: str, app: str = "beta") -> Draft:
    return Draft(app, f"{NAMESPACE}-{app}", guid, bundle_id, f"http://127.0.0.1/content/{guid}/")


def forged_comment(kind: str, t: Targets) -> tuple[str, int, str]:
    """(comment text, expected exit status, what the output must say).

    A record refused as a whole (unparseable, not this pull request's) is exit 1: the
    close still deletes the previews by name, and no draft."""
    hand_made = draft_of(t.beta, t.hand_made_draft)
    if kind == "dot-segments":  # requests would turn this into DELETE v1/content/<theirs>
        return raw_record(t.alpha, f"../../{t.their_guid()}"), 1, "is not a bundle id"
    if kind == "encoded-dot-segments":
        return raw_record(t.alpha, f"%2e%2e%2f%2e%2e%2f{t.their_guid()}"), 1, "is not a bundle id"
    if kind == "guid-with-a-path":
        return raw_record(f"{t.alpha}/bundles/1", "1"), 1, "is not a content GUID"
    if kind == "another-owners-content":
        return (
            render(PreviewRecord(pr=PR, mode=DRAFTS, drafts=[draft_of(t.their_guid(), "1")])),
            1,
            ("is not the deployer's own; not deleted"),
        )
    if kind == "another-apps-content":  # alpha's record naming beta's (real, deletable) draft
        forged = draft_of(t.beta, t.hand_made_draft, app="alpha")
        return (
            render(PreviewRecord(pr=PR, mode=DRAFTS, drafts=[forged])),
            1,
            (f"is '{NAMESPACE}-beta', not '{NAMESPACE}-alpha'"),
        )
    if kind == "active-bundle":
        active = draft_of(t.beta, t.beta_active)
        return render(PreviewRecord(pr=PR, mode=DRAFTS, drafts=[active])), 0, "left alone"
    if kind == "smuggled-in-failure-text":
        inner = PreviewRecord(pr=PR, mode=DRAFTS, drafts=[hand_made]).to_json()
        why = f"build log: --> <!-- connect-preview-record {inner} -->"
        text = render(PreviewRecord(pr=PR, mode=DRAFTS, failed={"alpha": why}))
        return text, 0, "nothing to delete"
    assert kind == "a-second-record-appended"
    ours = render(PreviewRecord(pr=PR, mode=DRAFTS))
    return ours + raw_record(t.beta, t.hand_made_draft, app="beta"), 1, "holds 2 preview records"


FORGERIES = [
    "dot-segments",
    "encoded-dot-segments",
    "guid-with-a-path",
    "another-owners-content",
    "another-apps-content",
    "active-bundle",
    "smuggled-in-failure-text",
    "a-second-record-appended",
]


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_record_deletes_nothing(
    kind: str, targets: Targets, connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    text, status, says = forged_comment(kind, targets)
    before = everything(connect)
    assert targets.hand_made_draft in before[targets.beta][1]
    comment = tmp_path / f"pr-{PR}.md"
    comment.write_text(text)
    run = run_preview("cleanup", connect, workspace, comment)
    assert run.result.returncode == status, run.explain()
    assert says in run.result.stdout + run.result.stderr, run.explain()
    assert everything(connect) == before


@pytest.mark.parametrize("author", ["person", "another-bot"])
def test_a_record_in_a_comment_not_written_by_the_workflow_is_never_read(
    author: str, targets: Targets, connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    """A well-formed record naming a real, deletable draft: only its author is wrong."""
    record = render(
        PreviewRecord(pr=PR, mode=DRAFTS, drafts=[draft_of(targets.beta, targets.hand_made_draft)])
    )
    user = {
        "person": {"login": "mallory", "type": "User"},
        "another-bot": {"login": "helper[bot]", "type": "Bot"},
    }[author]
    comment = tmp_path / f"pr-{PR}.md"
    before = everything(connect)
    with fake_github([{"id": 1, "user": user, "body": record, "html_url": ""}]) as environ:
        fetch = ["fetch", "--pr", str(PR), "--file", str(comment)]
        assert preview_github.main(fetch, environ) == 0
    assert not comment.exists()
    run = run_preview("cleanup", connect, workspace, comment)
    assert run.result.returncode == 0, run.explain()
    assert "nothing to delete" in run.result.stdout
    assert everything(connect) == before
