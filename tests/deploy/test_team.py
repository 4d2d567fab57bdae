"""The team's groups, named once ([tool.monorepo.team]), on every app unless it opts out;
the team's tags on every app."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT, AppInfo, discover_apps
from scripts.deploy.changes import plan_changes
from scripts.deploy.settings import SettingsError, load_settings, parse_settings
from scripts.deploy.team import TeamGroups, load_team, parse_team

TEAM = TeamGroups(viewers=("data-team",), collaborators=("data-leads",))


def test_every_acl_app_gets_the_team_viewers_and_every_app_its_collaborators() -> None:
    acl = parse_settings("demo", {"groups": ["sales"]}, TEAM)
    assert acl.groups == ("sales", "data-team") and acl.collaborators == ("data-leads",)
    public = parse_settings("demo", {"access_type": "all"}, TEAM)
    assert public.groups == () and public.collaborators == ("data-leads",)
    alone = parse_settings("demo", {"groups": ["sales"], "team": False}, TEAM)
    assert alone.groups == ("sales",) and alone.collaborators == ()
    assert parse_settings("demo", {}, TEAM).groups == ("data-team",)  # new-app's default


def test_the_team_table_is_read_from_the_workspace_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "ws"\n[tool.monorepo.team]\nviewers = ["data-team"]\n'
    )
    app = tmp_path / "apps" / "xray"
    app.mkdir(parents=True)
    (app / "pyproject.toml").write_text('[project]\nname = "xray"\n')
    assert load_settings(AppInfo("xray", app)).groups == ("data-team",)
    (tmp_path / "pyproject.toml").write_text("[tool.monorepo.team]\nviewer = ['x']\n")
    with pytest.raises(SettingsError, match=r"unknown key\(s\) in \[tool.monorepo.team\]"):
        load_settings(AppInfo("xray", app))


@pytest.mark.parametrize("table", [{"viewers": "data-team"}, {"viewers": [""]}])
def test_a_bad_team_table_names_the_key(table: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"team.viewers = .* expected a list of group names"):
        parse_team(table)


def test_every_app_carries_the_team_tags_first_then_its_own_even_alone() -> None:
    team = TeamGroups(tags=("Samples/Dash",))
    assert parse_settings("demo", {}, team).tags == ("Samples/Dash",)
    own = parse_settings("demo", {"tags": ["Samples/Reports", "Samples/Dash"]}, team)
    assert own.tags == ("Samples/Dash", "Samples/Reports")
    assert parse_settings("demo", {"team": False}, team).tags == ("Samples/Dash",)
    assert parse_settings("demo", {}, TEAM).tags is None  # no tags anywhere: left alone


def test_the_repository_tags_every_sample_app() -> None:
    tags = load_team(REPO_ROOT).tags
    assert tags, "[tool.monorepo.team] tags in the root pyproject.toml is empty"
    for app in discover_apps():
        assert set(tags) <= set(load_settings(app).tags or ()), app.name


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"tags": "Samples"}, r"team.tags = .* expected a list of tag paths"),
        ({"tags": ["Samples//Dash"]}, r"team.tags = .* Parent/Child paths with no empty part"),
    ],
)
def test_a_bad_team_tag_names_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_team(table)


class Item(dict[str, Any]):
    def __init__(self, permissions: list[dict[str, Any]], **fields: Any) -> None:
        super().__init__(**fields)
        self.permissions = SimpleNamespace(find=lambda: permissions)


def test_collaborator_groups_are_added_or_raised_never_removed() -> None:
    permissions = [
        {"principal_type": "group", "principal_guid": "g-team", "role": "viewer"},
        {"principal_type": "group", "principal_guid": "g-old-owner", "role": "owner"},
        {"principal_type": "group", "principal_guid": "g-stale", "role": "viewer"},
    ]
    current = Item(permissions, guid="g", title="demo", description="", access_type="acl")
    team = TeamGroups(viewers=("data-team",), collaborators=("data-team", "data-leads"))
    settings = parse_settings("demo", {}, team)
    guids = {"data-team": "g-team", "data-leads": "g-leads"}
    client = SimpleNamespace(get=lambda path: SimpleNamespace(json=lambda: {"path": None}))
    changes = plan_changes(client, current, settings, guids, {})
    assert changes.add_collaborators == ["g-leads"]
    assert [p["principal_guid"] for p in changes.raise_to_collaborator] == ["g-team"]
    assert changes.add_viewers == []  # data-team is a collaborator: one role per principal
    assert [p["principal_guid"] for p in changes.remove_viewers] == ["g-stale"]
    assert "collaborator groups +2" in changes.describe()
