"""Preview items' names, settings, variables and which apps a pull request changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.catalog import AppInfo
from scripts.deploy.content import ContentError
from scripts.deploy.settings import parse_settings
from scripts.deploy.team import TeamGroups
from scripts.preview.items import (
    changed_apps,
    name_pattern,
    preview_environ,
    preview_name,
    preview_settings,
)


def test_names_belong_to_one_pull_request_exactly() -> None:
    assert preview_name("Dash Monorepo", 12, "hello") == "dash-monorepo-pr12-hello"
    pattern = name_pattern("dash-monorepo", 1)
    assert pattern.fullmatch("dash-monorepo-pr1-hello")["app"] == "hello"  # type: ignore[index]
    for other in ("dash-monorepo-pr12-hello", "dash-monorepo-hello", "x-dash-monorepo-pr1-hello"):
        assert pattern.fullmatch(other) is None
    with pytest.raises(ContentError, match="longer than Connect's 64"):
        preview_name("n" * 50, 12345, "group-dashboard")


def test_a_preview_is_acl_for_the_team_with_no_vanity() -> None:
    live = parse_settings("sales", {"access_type": "all", "vanity": "/sales/", "title": "Sales"})
    team = TeamGroups(viewers=("data-team",), collaborators=("data-leads",))
    preview = preview_settings(live, team, 7)
    assert (preview.access_type, preview.groups, preview.collaborators) == (
        "acl",
        ("data-team",),
        ("data-leads",),
    )
    assert preview.vanity is None and preview.title == "Sales (PR 7)"


def test_variables_come_from_the_preview_set_never_production() -> None:
    environ = {"DATABASE_URL": "prod", "PREVIEW_DATABASE_URL": "preview", "TOKEN": "prod", "X": "1"}
    result, unset = preview_environ(environ, ["DATABASE_URL", "TOKEN"])
    assert result["DATABASE_URL"] == "preview" and "TOKEN" not in result
    assert unset == ["TOKEN"] and result["X"] == "1"
    empty, unset = preview_environ({"TOKEN": "prod", "PREVIEW_TOKEN": ""}, ["TOKEN"])
    assert "TOKEN" not in empty and unset == ["TOKEN"]  # an empty secret is no value


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def test_only_the_apps_a_pull_request_changes(tmp_path: Path) -> None:
    apps = [AppInfo(name, tmp_path / "apps" / name) for name in ("alpha", "beta")]
    for app in apps:
        app.path.mkdir(parents=True)
        (app.path / "app.py").write_text("x = 1\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lib.py").write_text("")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    base = git(tmp_path, "rev-parse", "HEAD").strip()
    (tmp_path / "apps" / "beta" / "app.py").write_text("x = 2\n")
    git(tmp_path, "commit", "-qam", "beta")
    assert [a.name for a in changed_apps(tmp_path, base, apps)] == ["beta"]
    assert changed_apps(tmp_path, None, apps) == apps  # no base: every app
    (tmp_path / "shared" / "lib.py").write_text("y = 1\n")
    git(tmp_path, "commit", "-qam", "shared")
    assert changed_apps(tmp_path, base, apps) == apps  # shared code: every app
    with pytest.raises(ContentError, match="expected a commit or branch name"):
        changed_apps(tmp_path, "--output=/tmp/x", apps)
