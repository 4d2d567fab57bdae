"""A deploy that is safe on a real, multi-user Connect: the real tool and rsconnect CLI
against a stand-in that enforces ownership and policy as Connect documents it, or
a real Connect (``make test-connect CONNECT_SERVER=...``).

Three servers: a strict one with several users (ownership, drift, vanity,
unchanged bundles, groups), one with a restrictive policy (refusals before
activation), and one that reports a Connect older than 2025.06.0. On a real
server only the first applies (the others are stand-in settings), and its
tests that act as a second user with a key of their own are not applicable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.catalog import REPO_ROOT
from scripts.deploy.invoke import DeployRun, run_deploy_tool
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    not_applicable,
    prefixed,
    run_content,
)
from tests.support.workspace import scratch_workspace

KEY = f"safety-key-{uuid.uuid4().hex}"
BOB, BOB_KEY = "bob", f"bob-key-{uuid.uuid4().hex}"  # another publisher
ADA_KEY = f"ada-key-{uuid.uuid4().hex}"  # an administrator
GROUPS = tuple(prefixed(g) for g in ("E2E-Team", "e2e-TEAM", "sales-amer"))
HELLO_APP = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()
VANITY = prefixed("e2e-solo")


BASE_PYPROJECT = "solo-pyproject.toml"  # beside apps/: the fixture app's own, no deploy table


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = scratch_workspace(tmp_path_factory.mktemp("ws"), {"solo": {"app.py": HELLO_APP}})
    (root / BASE_PYPROJECT).write_text((root / "apps" / "solo" / "pyproject.toml").read_text())
    return root


def set_deploy_table(workspace: Path, table: str, app_suffix: str = "") -> None:
    """Rewrite the app's [tool.monorepo.deploy] (and app.py, to change its bundle)."""
    app = workspace / "apps" / "solo"
    base = (workspace / BASE_PYPROJECT).read_text()
    (app / "pyproject.toml").write_text(f"{base}\n[tool.monorepo.deploy]\n{table}")
    (app / "app.py").write_text(HELLO_APP + app_suffix)


def deploy(
    connect: ConnectServer, workspace: Path, work: Path, namespace: str, **env: str
) -> DeployRun:
    key = env.pop("key", connect.api_key)
    settings = {"NAMESPACE": namespace, "DEPLOY_RETRY_DELAY": "0.2", **env}
    return run_deploy_tool(
        connect.url, key, work, "--workspace", str(workspace), "solo", env=settings
    )


def row(run: DeployRun) -> dict[str, Any]:
    return run.by_app()["solo"]


def mine(connect: ConnectServer, name: str, key: str | None = None) -> dict[str, Any]:
    key = key or connect.api_key
    me = connect.api_as(key, "GET", "v1/user")["guid"]
    found = connect.api_as(key, "GET", f"v1/content?name={name}&owner_guid={me}")
    assert len(found) == 1, found
    return dict(found[0])


def page(connect: ConnectServer, path: str) -> tuple[int, str]:
    """A content page as the owner sees it: (status, text)."""
    response = requests.get(
        f"{connect.url}/{path}", headers={"Authorization": f"Key {connect.api_key}"}, timeout=120
    )
    return response.status_code, response.text


def bundles_of(connect: ConnectServer, guid: str, key: str | None = None) -> list[Any]:
    return list(connect.api_as(key or connect.api_key, "GET", f"v1/content/{guid}/bundles"))


def ns(namespace: str) -> str:
    """A deploy namespace of this run (content names ``<it>-solo``)."""
    return prefixed(namespace)


@pytest.fixture(scope="module")
def strict(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    users: list[str | tuple[str, str, str]] = [
        f"e2e-viewer:{','.join(GROUPS)}",  # creates the groups on the stand-in
        (BOB, "publisher", BOB_KEY),
        ("ada", "administrator", ADA_KEY),
    ]
    with connect_server.start("strict", api_key=KEY, users=users) as server:
        for group in () if server.is_stand_in else GROUPS:
            server.api("POST", "v1/groups", {"name": group})
        yield server


def test_another_users_same_named_item_is_never_written_to(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n')
    body = {"name": f"{ns('other')}-solo", "title": "Bob's own", "access_type": "logged_in"}
    bobs = strict.api_as(BOB_KEY, "POST", "v1/content", body)
    for key in (strict.api_key, ADA_KEY):  # a publisher, then an administrator who sees it all
        run = deploy(strict, workspace, tmp_path / key[:3], ns("other"), key=key)
        assert run.result.returncode == 0, run.explain()
        assert row(run)["status"] == "created", run.explain()
        assert row(run)["guid"] != bobs["guid"]
        said = [line for line in run.result.stdout.splitlines() if "left alone:" in line]
        assert len(said) == 1 and f"another user's {ns('other')}-solo (" in said[0], run.explain()
        assert bobs["guid"] in said[0]
    after = strict.api_as(BOB_KEY, "GET", f"v1/content/{bobs['guid']}")
    assert (after["title"], after["access_type"], after["bundle_id"]) == (
        "Bob's own",
        "logged_in",
        None,
    )
    assert bundles_of(strict, bobs["guid"], BOB_KEY) == []


def test_vanity_unchanged_skip_settings_reset_and_force(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    declared = 'title = "Solo"\naccess_type = "all"\nmax_processes = 2\nidle_timeout = 300\n'
    set_deploy_table(workspace, declared + f'vanity = "/{VANITY}/"\n')
    first = deploy(strict, workspace, tmp_path / "1", ns("drift"))
    assert first.result.returncode == 0 and row(first)["status"] == "created", first.explain()
    assert "vanity http" in first.result.stdout  # verified after the deploy
    status, text = page(strict, f"{VANITY}/")
    assert status == 200 and 'id="_dash-config"' in text, text[:300]
    content = mine(strict, f"{ns('drift')}-solo")
    assert (content["max_processes"], content["idle_timeout"]) == (2, 300)
    active = content["bundle_id"]

    # Settings removed: the same bundle, so no upload, and the summary says
    # what changed instead of "unchanged".
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n')
    second = deploy(strict, workspace, tmp_path / "2", ns("drift"))
    assert second.result.returncode == 0, second.explain()
    assert row(second)["status"] == "settings updated", second.explain()
    assert "settings updated (max_processes=None, idle_timeout=None, vanity removed)" in (
        second.result.stdout
    )
    assert "steps" in row(second) and "upload" not in row(second)["steps"]
    content = mine(strict, f"{ns('drift')}-solo")
    assert (content["max_processes"], content["idle_timeout"]) == (None, None)  # server default
    assert content["bundle_id"] == active
    assert len(bundles_of(strict, content["guid"])) == 1  # nothing uploaded
    status, _ = strict.request("GET", f"__api__/v1/content/{content['guid']}/vanity")
    assert status == 404  # the vanity URL removed with its setting

    # A new title is the content's and the page's: the bundle carries it, so it is uploaded.
    set_deploy_table(workspace, 'title = "Solo two"\naccess_type = "all"\n')
    retitled = deploy(strict, workspace, tmp_path / "3", ns("drift"))
    assert row(retitled)["status"] == "updated", retitled.explain()
    assert "title: 'Solo' -> 'Solo two'" in retitled.result.stdout
    assert len(bundles_of(strict, content["guid"])) == 2
    status, text = page(strict, f"content/{content['guid']}/")
    assert status == 200 and "<title>Solo two</title>" in text, text[:300]

    forced = deploy(strict, workspace, tmp_path / "4", ns("drift"), FORCE="1")
    assert row(forced)["status"] == "updated", forced.explain()
    assert len(bundles_of(strict, content["guid"])) == 3


def test_a_group_differing_only_in_case_is_ambiguous(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(
        workspace, f'title = "Solo"\naccess_type = "acl"\ngroups = ["{prefixed("E2E-TEAM")}"]\n'
    )
    run = deploy(strict, workspace, tmp_path, ns("amb"))
    assert run.result.returncode == 1, run.explain()
    error = row(run)["error"]
    assert f"no group is named exactly '{prefixed('E2E-TEAM')}'" in error
    assert f"'{GROUPS[0]}' (" in error and f"'{GROUPS[1]}' (" in error
    assert strict.api("GET", f"v1/content?name={ns('amb')}-solo") == []  # nothing created


def test_a_dry_run_catches_a_typo_d_group_and_writes_nothing(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(
        workspace, f'title = "Solo"\naccess_type = "acl"\ngroups = ["{prefixed("sales_amer")}"]\n'
    )
    before = run_content(strict)
    run = deploy(strict, workspace, tmp_path, ns("typo"), DRY_RUN="1")
    assert run.result.returncode == 1, run.explain()
    said = f"'{prefixed('sales_amer')}'; did you mean '{prefixed('sales-amer')}'"
    assert said in row(run)["error"]
    assert run.report is not None and run.report["dry_run"] is True
    assert run_content(strict) == before
    assert "solo: solo:" not in run.output and "group-dashboard: group-dashboard:" not in run.output


@pytest.fixture(scope="module")
def strict_policy(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    policy = ["--most-permissive-access-type", "logged_in", "--max-processes-limit", "2"]
    policy += ["--default-max-processes", "1"]
    with connect_server.start("policy", api_key=KEY, extra_args=policy) as server:
        yield server


def test_a_policy_refusal_comes_before_activation(
    strict_policy: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "logged_in"\n')
    first = deploy(strict_policy, workspace, tmp_path / "1", ns("pol"))
    assert row(first)["status"] == "created", first.explain()
    before = mine(strict_policy, f"{ns('pol')}-solo")
    # A new bundle that asks for more than the server allows: refused before its upload.
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n', "\n# v2\n")
    refused = deploy(strict_policy, workspace, tmp_path / "2", ns("pol"))
    assert refused.result.returncode == 1, refused.explain()
    error = row(refused)["error"]
    assert "access_type" in error and "code 118" in error and "still serves" in error
    after = mine(strict_policy, f"{ns('pol')}-solo")
    assert (after["bundle_id"], after["access_type"]) == (before["bundle_id"], "logged_in")
    assert len(bundles_of(strict_policy, before["guid"])) == 1  # the new one never uploaded
    status, text = page(strict_policy, f"content/{before['guid']}/")
    assert status == 200 and 'id="_dash-config"' in text  # the old bundle still serves


def test_a_process_limit_refusal_names_the_setting(
    strict_policy: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "acl"\nmax_processes = 5\n')
    run = deploy(strict_policy, workspace, tmp_path, ns("limit"))
    assert run.result.returncode == 1, run.explain()
    error = row(run)["error"]
    assert "max_processes" in error and "code 113" in error
    content = mine(strict_policy, f"{ns('limit')}-solo")  # created, but nothing uploaded to it
    assert content["bundle_id"] is None and bundles_of(strict_policy, content["guid"]) == []


def test_an_old_server_gets_the_one_step_deploy(
    connect_server: ConnectServers, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n')
    with connect_server.start("old", api_key=KEY, version="2024.12.0") as old:
        run = deploy(old, workspace, tmp_path / "work", ns("old"))
        assert run.result.returncode == 0, run.explain()
        assert row(run)["status"] == "created"
        assert "one-step deploy: Connect 2024.12.0 is older than 2025.06.0" in run.result.stdout
        status, text = page(old, f"content/{row(run)['guid']}/")
        assert status == 200 and 'id="_dash-config"' in text


def test_content_one_collaborates_on_needs_the_apps_opt_in_for_that_server(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    body = {"name": f"{ns('collab')}-solo", "title": "Bob's shared", "access_type": "all"}
    bobs = strict.api_as(BOB_KEY, "POST", "v1/content", body)
    me = strict.api("GET", "v1/user")["guid"]
    collaborator = {"principal_guid": me, "principal_type": "user", "role": "owner"}
    strict.api_as(BOB_KEY, "POST", f"v1/content/{bobs['guid']}/permissions", collaborator)
    elsewhere = 'deploy_as_collaborator_on = ["https://connect.example.com"]\n'
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n' + elsewhere)
    own = deploy(strict, workspace, tmp_path / "1", ns("collab"))
    assert row(own)["status"] == "created" and row(own)["guid"] != bobs["guid"], own.explain()

    opted = f'deploy_as_collaborator_on = ["{strict.url}"]\n'
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n' + opted)
    both = deploy(strict, workspace, tmp_path / "2", ns("collab"))  # its own one and Bob's
    assert both.result.returncode == 1, both.explain()
    assert f"found: {row(own)['guid']}, {bobs['guid']}" in row(both)["error"]

    strict.api("DELETE", f"v1/content/{row(own)['guid']}")
    shared = deploy(strict, workspace, tmp_path / "3", ns("collab"))
    assert shared.result.returncode == 0, shared.explain()
    assert row(shared)["guid"] == bobs["guid"], shared.explain()
    assert f"deploying as a collaborator into {ns('collab')}-solo" in shared.result.stdout
    assert len(bundles_of(strict, bobs["guid"], BOB_KEY)) == 1


def test_a_python_version_the_server_lacks_fails_before_anything_is_written(
    strict: ConnectServer, workspace: Path, tmp_path: Path
) -> None:
    set_deploy_table(workspace, 'title = "Solo"\naccess_type = "all"\n')
    installed = [
        i["version"] for i in strict.api("GET", "v1/server_settings/python")["installations"]
    ]
    if any(v.startswith("3.9") for v in installed):
        not_applicable(f"this server has Python 3.9 ({installed})")
    run = deploy(strict, workspace, tmp_path, ns("py"), PYTHON_VERSION="3.9")
    assert run.result.returncode == 1, run.explain()
    error = row(run)["error"]
    assert "asks for Python 3.9 (.python-version)" in error and installed[0] in error
    assert strict.api("GET", f"v1/content?name={ns('py')}-solo") == []
