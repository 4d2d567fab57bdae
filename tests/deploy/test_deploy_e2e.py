"""End to end: ``make deploy-all``'s tool, the real rsconnect CLI, a Connect server.

The stand-in, or a real Connect under ``make test-connect CONNECT_SERVER=...``
(there the apps are deployed from a copy whose group and vanity names carry
the run's prefix, so nothing but the run's own names is touched; the tests
that inject faults or visit as the stand-in's default visitor are not
applicable). One server for the whole module. The first deploy of every discovered app
is shared by the tests that look at its result; the fault tests use a scratch
workspace with small apps so that they stay quick.
"""

from __future__ import annotations

import json
import re
import socket
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.browser.smoke import AppPage
from scripts.catalog import REPO_ROOT, AppInfo, discover_apps
from scripts.deploy.invoke import DeployRun, run_deploy_tool
from scripts.deploy.settings import load_settings
from scripts.deploy.team import load_team
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    deployed_page,
    not_applicable,
    prefixed,
    run_content,
    visiting_as_key_owner,
)
from tests.support.workspace import scratch_workspace

# Every app deployed twice and dry-run once: the longest module; make test starts it first.
pytestmark = pytest.mark.slow

API_KEY = f"e2e-key-{uuid.uuid4().hex}"  # distinctive: searched for in every output
VISITOR = "e2e-visitor"
ACL_GROUP = prefixed("e2e-viewers")
NAMESPACE = prefixed("e2e")
TRANSIENT_FAULTS = 2
APPS = discover_apps()
HELLO_APP = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()


def groups_any_app_needs() -> list[str]:
    """Viewer groups from deploy settings and the smoke visitors' groups, for the visitor."""
    groups = {ACL_GROUP}
    for app in APPS:
        groups.update(load_settings(app).groups)
        groups.update(app.settings().get("smoke", {}).get("groups", []))
    return sorted(groups)


def deployer_environment() -> dict[str, str]:
    """Values for every variable an app's deploy.environment names (the deployer's job)."""
    names = {name for app in APPS for name in load_settings(app).environment}
    return {name: f"e2e-value-of-{name.lower()}" for name in sorted(names)}


def run_deploy(
    server: str, key: str, work: Path, *args: str, env: dict[str, str] | None = None
) -> DeployRun:
    fixed = {"NAMESPACE": NAMESPACE, "DEPLOY_RETRY_DELAY": "0.2", **deployer_environment()}
    return run_deploy_tool(server, key, work, *args, env={**fixed, **(env or {})})


def run_deploy_of(
    workspace: Path, connect: ConnectServer, work: Path, *args: str, **env: str
) -> DeployRun:
    """A deploy of ``workspace``'s apps to ``connect`` with its key."""
    where = () if workspace == REPO_ROOT else ("--workspace", str(workspace))
    return run_deploy(connect.url, connect.api_key, work, *where, *args, env=env)


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectServer]:
    visitor = f"{VISITOR}:{','.join(groups_any_app_needs())}"
    with connect_server.start(
        "e2e",
        api_key=API_KEY,
        default_visitor=visitor,
        environments_dir=environments_dir,
    ) as server:
        yield server


def _prefix_deploy_names(pyproject: Path) -> None:
    """The app's deploy groups and vanity path, renamed with the run's prefix; its OAuth
    integrations left out (an administrator makes one from a template: the run does not)."""
    text = pyproject.read_text()
    text = re.sub(r"(?m)^oauth_integrations = .*\n", "", text)
    deploy = tomllib.loads(text).get("tool", {}).get("monorepo", {}).get("deploy", {})
    for group in deploy.get("groups", []):
        text = text.replace(f'"{group}"', f'"{prefixed(group)}"')
    if "vanity" in deploy:
        vanity = deploy["vanity"]
        text = text.replace(f'"{vanity}"', f'"/{prefixed(vanity.strip("/"))}/"')
    pyproject.write_text(text)


@pytest.fixture(scope="module")
def workspace(connect: ConnectServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository (stand-in); on a real server a copy of it whose groups (made
    here) and vanity paths carry the run's prefix: the run touches nothing else."""
    if connect.is_stand_in:
        return REPO_ROOT
    root = scratch_workspace(tmp_path_factory.mktemp("e2e-ws"), {a.name: a.path for a in APPS})
    for app in discover_apps(root / "apps"):
        _prefix_deploy_names(app.path / "pyproject.toml")
    for group in {
        ACL_GROUP,
        *(g for a in discover_apps(root / "apps") for g in load_settings(a).groups),
    }:
        connect.api("POST", "v1/groups", {"name": group})
    return root


def tag_paths(connect: ConnectServer, content_guid: str) -> set[str]:
    """The content's tags as ``Parent/Child`` paths."""
    every = {str(t["id"]): t for t in connect.api("GET", "v1/tags")}

    def path(tag: dict[str, Any]) -> str:
        parent = every.get(str(tag["parent_id"] or ""))
        return tag["name"] if parent is None else f"{path(parent)}/{tag['name']}"

    return {path(t) for t in connect.api("GET", f"v1/content/{content_guid}/tags")}


def apps_in(workspace: Path) -> list[AppInfo]:
    return discover_apps(workspace / "apps")


def injected_faults(connect: ConnectServer) -> int:
    """How many transient faults the first deploy meets: only the stand-in injects them."""
    return TRANSIENT_FAULTS if connect.is_stand_in else 0


@pytest.fixture(scope="module")
def first_deploy(
    connect: ConnectServer, workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> DeployRun:
    # Two bundle uploads answer 503: whichever apps they hit must retry and succeed.
    if injected_faults(connect):
        connect.fail_next("v1/content/*/bundles", count=TRANSIENT_FAULTS, method="POST")
    try:
        return run_deploy_of(workspace, connect, tmp_path_factory.mktemp("first"))
    finally:
        connect.clear_faults()


def group_names(connect: ConnectServer, content_guid: str) -> set[str]:
    names = {g["guid"]: g["name"] for g in connect.api("GET", "v1/groups")["results"]}
    permissions = connect.api("GET", f"v1/content/{content_guid}/permissions")
    return {
        names[p["principal_guid"]]
        for p in permissions
        if p["principal_type"] == "group" and p["role"] == "viewer"
    }


def share_with_visitor(connect: ConnectServer, content_guid: str) -> None:
    users = connect.api("GET", f"v1/users?prefix={VISITOR}")["results"]
    user = next(u for u in users if u["username"] == VISITOR)
    permission = {"principal_guid": user["guid"], "principal_type": "user", "role": "viewer"}
    connect.api("POST", f"v1/content/{content_guid}/permissions", permission)


def assert_key_never_shown(run: DeployRun, key: str) -> None:
    assert key not in run.output
    assert run.report is not None and key not in json.dumps(run.report)
    for path in run.bundles_dir.rglob("*"):
        if path.is_file():
            assert key not in path.read_text(errors="replace"), path


def test_first_run_creates_every_app_with_its_settings(
    first_deploy: DeployRun, connect: ConnectServer, workspace: Path
) -> None:
    assert first_deploy.result.returncode == 0, first_deploy.explain()
    rows = first_deploy.by_app()
    assert sorted(rows) == [app.name for app in APPS]
    for app in apps_in(workspace):
        row, settings = rows[app.name], load_settings(app)
        assert row["status"] == "created", row
        content = connect.content_by_name(f"{NAMESPACE}-{app.name}")
        assert content["guid"] == row["guid"]
        assert row["url"] == f"{connect.url}/content/{row['guid']}/"
        assert content["title"] == settings.title
        assert content["access_type"] == settings.access_type
        if settings.access_type == "acl":
            assert group_names(connect, content["guid"]) == set(settings.groups)
        for key, value in settings.process.items():
            assert content[key] == value, key
        # every app carries the team's tags (root pyproject.toml) and its own (the
        # stand-in starts with them; on a real server the run's administrator key makes them)
        assert settings.tags and set(settings.tags) <= tag_paths(connect, content["guid"])
        assert set(load_team(REPO_ROOT).tags) <= set(settings.tags)
    faults = injected_faults(connect)
    assert sum(row["attempts"] for row in rows.values()) == len(APPS) + faults
    assert ("transient failure; retrying" in first_deploy.result.stdout) == bool(faults)
    for name, row in rows.items():  # real counts, every step timed, rsconnect's output logged
        assert row["files"] > 3 and row["bundle_bytes"] > 10_000, row
        assert {"check", "find", "bundle", "settings", "upload", "verify"} <= set(row["steps"])
        log = first_deploy.bundles_dir.parent / "logs" / f"{name}.log"
        assert "Deployment completed successfully" in log.read_text(), log.read_text()[-2000:]
        assert f"[{name}] rsconnect:" not in first_deploy.result.stdout  # only with VERBOSE=1
    assert "will not be used or considered" not in first_deploy.output
    totals = f"{len(APPS)} app(s): {len(APPS)} created;"
    assert totals in first_deploy.result.stdout
    table_header = re.compile(r"^app +status +guid +content url +seconds$", re.MULTILINE)
    assert table_header.search(first_deploy.result.stdout)
    assert_key_never_shown(first_deploy, connect.api_key)


def test_second_run_from_a_fresh_checkout_finds_the_same_content_unchanged(
    first_deploy: DeployRun, connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    # A new bundles directory: no rsconnect deployment records, as in a fresh clone.
    second = run_deploy_of(workspace, connect, tmp_path, "--jobs", "2")
    assert second.result.returncode == 0, second.explain()
    first_rows, rows = first_deploy.by_app(), second.by_app()
    for app in APPS:
        assert rows[app.name]["status"] == "unchanged", rows[app.name]
        assert rows[app.name]["guid"] == first_rows[app.name]["guid"]
        assert "upload" not in rows[app.name]["steps"]
        content = connect.content_by_name(f"{NAMESPACE}-{app.name}")  # exactly one
        assert content["bundle_id"] == first_bundle_ids(first_deploy, connect)[app.name]
    assert f"{len(APPS)} app(s): {len(APPS)} unchanged" in second.result.stdout


def first_bundle_ids(first_deploy: DeployRun, connect: ConnectServer) -> dict[str, str]:
    """Each app's active bundle right after the first deploy (the first of its bundles)."""
    ids = {}
    for app, row in first_deploy.by_app().items():
        bundles = connect.api("GET", f"v1/content/{row['guid']}/bundles")
        ids[app] = min((b["id"] for b in bundles), key=int)
    return ids


@pytest.mark.browser
@pytest.mark.parametrize("app", APPS, ids=lambda a: a.name)
def test_each_deployed_app_works_in_a_browser(
    app: AppInfo, first_deploy: DeployRun, connect: ConnectServer, browser: Any
) -> None:
    guid = first_deploy.by_app()[app.name]["guid"]
    settings = load_settings(app)
    if not connect.is_stand_in and settings.groups:
        not_applicable(
            f"{app.name} is for its groups ({', '.join(settings.groups)}) and checks them "
            "itself: a visitor in them needs groups of those names, outside the run's prefix"
        )
    if not connect.is_stand_in and settings.oauth_integrations:
        not_applicable(
            f"{app.name} needs the OAuth integration {', '.join(settings.oauth_integrations)}, "
            "which an administrator makes from a template; the run deploys it without one"
        )
    if connect.is_stand_in and settings.access_type == "acl" and not settings.groups:
        share_with_visitor(connect, guid)  # owner-only content: share it, as an owner would
    with visiting_as_key_owner(browser, connect) as key_owner:
        page = AppPage(browser, deployed_page(connect, guid), f"deployed-{app.name}").open()  # type: ignore[arg-type]
        page.check()
        visitor = key_owner or VISITOR
        assert visitor in page.text("body"), f"the page does not greet {visitor}"


def test_failures_stay_with_their_app_and_acl_groups_apply(
    connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    # workspace: on a real server it has made ACL_GROUP
    gated = {
        "app.py": HELLO_APP,
        "pyproject.toml": (
            '[project]\nname = "gated"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["connectkit", "dash>=4.4"]\n[tool.uv]\npackage = false\n'
            "[tool.uv.sources]\nconnectkit = { workspace = true }\n"
            "[tool.monorepo.deploy]\n"
            f'access_type = "acl"\ngroups = ["{ACL_GROUP}"]\n'
            "max_processes = 2\nmin_processes = 0\nload_factor = 0.5\nidle_timeout = 300\n"
        ),
    }
    apps = {"broken": {"app.py": "import no_such_module\n"}, "gated": gated}
    if connect.is_stand_in:  # a failing build is injected: the stand-in's fault
        apps["a-build-fails"] = {"app.py": HELLO_APP}
        connect.fail_builds(1)  # the first build on the server fails (JOBS=1: a-build-fails)
    scratch = scratch_workspace(tmp_path / "ws", apps)
    try:
        run = run_deploy(
            connect.url, connect.api_key, tmp_path, "--workspace", str(scratch), "--jobs", "1"
        )
    finally:
        connect.clear_faults()
    assert run.result.returncode == 1, run.explain()
    rows = run.by_app()
    if connect.is_stand_in:
        assert rows["a-build-fails"]["status"] == "failed"
        assert "build failed (injected fault)" in rows["a-build-fails"]["error"]
    assert rows["broken"]["status"] == "failed"
    assert "No module named 'no_such_module'" in rows["broken"]["error"]
    assert "broken: broken:" not in run.output  # the app's name said once
    assert connect.api("GET", f"v1/content?name={NAMESPACE}-broken") == []  # nothing uploaded
    assert rows["gated"]["status"] == "created", run.explain()
    content = connect.content_by_name(f"{NAMESPACE}-gated")
    assert content["access_type"] == "acl"
    assert group_names(connect, content["guid"]) == {ACL_GROUP}
    runtime = ("max_processes", "min_processes", "load_factor", "idle_timeout")
    assert [content[key] for key in runtime] == [2, 0, 0.5, 300]


def test_dry_run_plans_and_writes_nothing(
    first_deploy: DeployRun, connect: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    before = run_content(connect)
    # On the stand-in, any write that reached the API would use up one of these faults.
    methods = ("POST", "PATCH", "PUT", "DELETE") if connect.is_stand_in else ()
    for method in methods:
        connect.fail_next("*", count=1, method=method)
    try:
        run = run_deploy_of(workspace, connect, tmp_path, DRY_RUN="1")
        unused = connect.request("GET", "__faults__/")[1]["unavailable"] if methods else []
    finally:
        connect.clear_faults()
    assert run.result.returncode == 0, run.explain()
    assert len(unused) == len(methods), f"a write request reached the API: {unused}"
    assert run_content(connect) == before  # every item, its bundle and settings
    assert run.report is not None and run.report["dry_run"] is True
    for app in APPS:
        row = run.by_app()[app.name]
        assert row["status"] == "unchanged", row  # compared with the active bundle: the same
        assert row["files"] > 3 and row["bundle_bytes"] > 10_000 and row["seconds"] > 0, row
        assert f"[{app.name}] settings to apply: none" in run.result.stdout
    assert "(dry run: nothing written)" in run.result.stdout
    assert "    app.py" not in run.result.stdout  # no file lists: one line per app per step


def test_invalid_key_fails_fast_before_any_bundle(connect: ConnectServer, tmp_path: Path) -> None:
    run = run_deploy(connect.url, "not-the-key", tmp_path)
    assert run.result.returncode == 2
    assert "rejected the API key" in run.result.stderr
    assert "not-the-key" not in run.output
    assert not run.bundles_dir.exists() and run.report is None


def test_unreachable_server_fails_fast(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = run_deploy(f"http://127.0.0.1:{port}", API_KEY, tmp_path)
    assert run.result.returncode == 2
    assert run.result.stderr.strip().splitlines() == [
        f"error: cannot reach Connect at http://127.0.0.1:{port} (ConnectionError); "
        "check CONNECT_SERVER and the network"
    ]
    assert not run.bundles_dir.exists()
