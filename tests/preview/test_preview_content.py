"""Previews as their own content (the default) against a Connect server (the stand-in, or a
real one under ``make test-connect CONNECT_SERVER=...``), with the real rsconnect CLI.

Production content is deployed first by its own account (pat, the production
key) with the production value of a variable. A pull request then changes
``alpha`` only: its preview is a new item ``pv-pr41-alpha`` owned by the preview
account (another key), open to the team's group only, with the preview value;
production is untouched. Closing deletes the preview and nothing else.

Every name made carries the run's prefix (``NAMESPACE``, the team's group). On a
real server there is one key, the suite's: it deploys production too, and what
needs a second user with a key of their own (pat's item named like a preview,
the viewer vic) or the stand-in's login form (a team member's visit) is not
applicable there, and says why.
"""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT
from scripts.deploy.invoke import run_deploy_tool
from scripts.preview.comment import PreviewRecord, parse
from tests.support.connect_server import ConnectServer, ConnectServers, not_applicable, prefixed
from tests.support.preview_tool import run_preview_tool
from tests.support.workspace import scratch_workspace

PREVIEW_KEY = f"preview-key-{uuid.uuid4().hex}"  # the preview account (the stand-in's --api-key)
PROD_KEY = f"prod-key-{uuid.uuid4().hex}"  # the production service account
VIEWER_KEY = f"viewer-key-{uuid.uuid4().hex}"  # signed in, not in the team
NAMESPACE, PR, TEAM = prefixed("pv"), 41, prefixed("data-team")
ANOTHER_USERS_KEY = (
    "a second user with a key of their own: the stand-in makes such users from its "
    "command line; Connect's API cannot mint a key for another user"
)
HELLO_APP = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()
LIVE_HEADING = 'html.H1("Hello, Connect")'
# Open to everyone in production; declares GREETING, shown in its heading.
DEPLOY_TABLE = '\n[tool.monorepo.deploy]\naccess_type = "all"\nenvironment = ["GREETING"]\n'


def app_source(tag: str) -> str:
    assert LIVE_HEADING in HELLO_APP
    heading = f'html.H1(__import__("os").environ.get("GREETING", "unset") + " {tag}")'
    return HELLO_APP.replace(LIVE_HEADING, heading)


def git(workspace: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    result = subprocess.run(command, cwd=workspace, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def layout_of(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url + "_dash-layout", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace")


def key(value: str) -> dict[str, str]:
    return {"Authorization": f"Key {value}"}


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    users = [("pat", "publisher", PROD_KEY), ("vic", "viewer", VIEWER_KEY), f"tess:{TEAM}"]
    with connect_server.start("preview-content", api_key=PREVIEW_KEY, users=users) as server:
        if not server.is_stand_in:  # the stand-in makes tess's group
            server.api("POST", "v1/groups", {"name": TEAM})
        yield server


def prod_key(connect: ConnectServer) -> str:
    """The production account's key: pat on the stand-in; on a real server the suite's one key."""
    return PROD_KEY if connect.is_stand_in else connect.api_key


@pytest.fixture(scope="module")
def workspace(connect: ConnectServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the workspace, the base commit): production deployed from base, then alpha changed."""
    apps = {name: {"app.py": app_source("v1")} for name in ("alpha", "beta")}
    root = scratch_workspace(tmp_path_factory.mktemp("preview") / "ws", apps)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("viewers = []", f'viewers = ["{TEAM}"]', 1))
    for name in apps:  # after the lock: a [tool] table does not change it
        with (root / "apps" / name / "pyproject.toml").open("a") as app_pyproject:
            app_pyproject.write(DEPLOY_TABLE)
    deploy = run_deploy_tool(
        connect.url,
        prod_key(connect),
        tmp_path_factory.mktemp("deploy"),
        "--workspace",
        str(root),
        env={"NAMESPACE": NAMESPACE, "GREETING": "from-production"},
    )
    assert deploy.result.returncode == 0, deploy.explain()
    assert "no team groups" not in deploy.output  # the team's group is named
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    base = git(root, "rev-parse", "HEAD")
    (root / "apps" / "alpha" / "app.py").write_text(app_source("v2"))
    git(root, "commit", "-q", "-am", "the pull request")
    return root, base


def run_tool(action: str, connect: ConnectServer, workspace: Path, base: str, comment: Path) -> Any:
    values = {
        "BASE": base,
        "GREETING": "from-production",  # in the job's environment by mistake: never used
        "PREVIEW_GREETING": "from-preview",
    }
    return run_preview_tool(
        action,
        server=connect.url,
        key=connect.api_key,
        workspace=workspace,
        comment=comment,
        namespace=NAMESPACE,
        pr=PR,
        env=values,
    )


def named(connect: ConnectServer, name: str, as_key: str | None = None) -> list[dict[str, Any]]:
    found = connect.api_as(as_key or connect.api_key, "GET", f"v1/content?name={name}")
    return [c for c in found if c["name"] == name]


@pytest.fixture(scope="module")
def others(connect: ConnectServer, workspace: tuple[Path, str]) -> dict[str, str]:
    """Items the run must tell apart: a stale preview, another PR's, another owner's
    (that one on the stand-in only: pat is a second user with a key of their own)."""
    mine = {"name": f"{NAMESPACE}-pr{PR}-gamma"}  # an app the pull request no longer changes
    made = {
        "stale": connect.api("POST", "v1/content", mine)["guid"],
        "other-pr": connect.api("POST", "v1/content", {"name": f"{NAMESPACE}-pr{PR}1-alpha"})[
            "guid"
        ],
    }
    if connect.is_stand_in:
        theirs = {"name": f"{NAMESPACE}-pr{PR}-beta"}
        made["other-owner"] = connect.api_as(PROD_KEY, "POST", "v1/content", theirs)["guid"]
    return made


@pytest.fixture(scope="module")
def production(connect: ConnectServer, workspace: tuple[Path, str]) -> dict[str, Any]:
    key = prod_key(connect)
    return {app: named(connect, f"{NAMESPACE}-{app}", key)[0] for app in ("alpha", "beta")}


@pytest.fixture(scope="module")
def preview(
    connect: ConnectServer,
    workspace: tuple[Path, str],
    others: dict[str, str],
    production: dict[str, Any],
) -> tuple[Any, PreviewRecord]:
    root, base = workspace
    comment = root.parent / "comment" / f"pr-{PR}.md"
    result = run_tool("preview", connect, root, base, comment)
    assert result.returncode == 0, result.stdout + result.stderr
    record = parse(comment.read_text())
    assert record is not None
    return result, record


def test_only_the_changed_app_gets_its_own_preview_item(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer
) -> None:
    _, record = preview
    assert [p.app for p in record.previews] == ["alpha"]
    item = connect.api("GET", f"v1/content/{record.previews[0].guid}")
    me = connect.api("GET", "v1/user")["guid"]
    assert item["name"] == f"{NAMESPACE}-pr{PR}-alpha" and item["owner_guid"] == me
    assert item["access_type"] == "acl" and f"(PR {PR})" in item["title"]
    groups = connect.api("GET", f"v1/groups?prefix={TEAM}")["results"]
    permissions = connect.api("GET", f"v1/content/{item['guid']}/permissions")
    assert [(p["principal_guid"], p["role"]) for p in permissions] == [
        (groups[0]["guid"], "viewer")
    ]


def test_the_preview_has_the_preview_values_and_production_is_untouched(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer, production: dict[str, Any]
) -> None:
    _, record = preview
    status, layout = layout_of(record.previews[0].url, key(connect.api_key))
    assert status == 200 and "from-preview v2" in layout and "from-production" not in layout
    for app, item in production.items():
        now = connect.api_as(prod_key(connect), "GET", f"v1/content/{item['guid']}")
        assert now["bundle_id"] == item["bundle_id"], app
    status, layout = layout_of(production["alpha"]["content_url"], key(prod_key(connect)))
    assert status == 200 and "from-production v1" in layout


def test_the_preview_opens_for_the_team_only(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer
) -> None:
    url = preview[1].previews[0].url
    team_member = {"Cookie": connect.visitor_cookie("tess", [TEAM])}
    assert layout_of(url, team_member)[0] == 200
    status, layout = layout_of(url, key(VIEWER_KEY))
    assert status == 403 and "from-preview" not in layout


def test_stale_previews_of_this_pull_request_go_and_nothing_else(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer, others: dict[str, str]
) -> None:
    assert connect.request("GET", f"__api__/v1/content/{others['stale']}")[0] == 404
    assert connect.request("GET", f"__api__/v1/content/{others['other-pr']}")[0] == 200


def test_the_preview_leaves_another_owners_item_named_like_a_preview(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer, others: dict[str, str]
) -> None:
    another_owners_item_is_there(connect, others)


def another_owners_item_is_there(connect: ConnectServer, others: dict[str, str]) -> None:
    """pat's item named like this pull request's preview of beta is still there."""
    if "other-owner" not in others:
        not_applicable(f"pat's item named like a preview needs {ANOTHER_USERS_KEY}")
    assert connect.api_as(PROD_KEY, "GET", f"v1/content/{others['other-owner']}")


@pytest.fixture(scope="module")
def closing(
    preview: tuple[Any, PreviewRecord], connect: ConnectServer, workspace: tuple[Path, str]
) -> tuple[Any, Path]:
    """The pull request closed: (the cleanup's result, its comment)."""
    root, base = workspace
    comment = root.parent / "comment" / f"pr-{PR}.md"
    return run_tool("cleanup", connect, root, base, comment), comment


def test_closing_deletes_the_preview_and_nothing_else(
    closing: tuple[Any, Path],
    connect: ConnectServer,
    others: dict[str, str],
    production: dict[str, Any],
) -> None:
    result, comment = closing
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"deleted {NAMESPACE}-pr{PR}-alpha" in result.stdout
    assert not named(connect, f"{NAMESPACE}-pr{PR}-alpha")
    assert connect.request("GET", f"__api__/v1/content/{others['other-pr']}")[0] == 200
    for item in production.values():
        assert connect.api_as(prod_key(connect), "GET", f"v1/content/{item['guid']}")["bundle_id"]
    record = parse(comment.read_text())
    assert record is not None and record.closed


def test_closing_leaves_another_owners_item_named_like_a_preview(
    closing: tuple[Any, Path], connect: ConnectServer, others: dict[str, str]
) -> None:
    assert closing[0].returncode == 0, closing[0].stdout + closing[0].stderr
    another_owners_item_is_there(connect, others)
