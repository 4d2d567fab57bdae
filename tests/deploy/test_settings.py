"""[tool.monorepo.deploy]: defaults, validation, and unknown keys as errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import AppInfo, discover_apps
from scripts.deploy.settings import (
    DeploySettings,
    SettingsError,
    check_environment,
    load_settings,
    parse_settings,
)


def test_defaults_are_connects_own() -> None:
    assert parse_settings("demo", {}) == DeploySettings(title="demo", access_type="acl")


def test_a_full_table() -> None:
    settings = parse_settings(
        "dash",
        {
            "title": "Sales",
            "description": "by region",
            "access_type": "acl",
            "groups": ["sales-emea", " sales-us "],
            "environment": ["DASHBOARD_GROUPS"],
            "min_processes": 1,
            "max_processes": 3,
            "max_conns_per_process": 20,
            "load_factor": 0.5,
            "idle_timeout": 600,
        },
    )
    assert settings.groups == ("sales-emea", "sales-us")
    assert settings.environment == ("DASHBOARD_GROUPS",)
    assert settings.process == {
        "min_processes": 1,
        "max_processes": 3,
        "max_conns_per_process": 20,
        "load_factor": 0.5,
        "idle_timeout": 600,
    }


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"max_proceses": 2}, r"unknown key\(s\) in \[tool.monorepo.deploy\]: max_proceses"),
        (
            {"access_type": "public"},
            r"access_type = 'public'; expected one of: all, logged_in, acl",
        ),
        ({"access_type": "all", "groups": ["a"]}, r"groups only apply with access_type = \"acl\""),
        ({"groups": "sales"}, r"deploy.groups = 'sales'; expected a list"),
        ({"environment": ["API_KEY=abc"]}, r"expected variable NAMES only"),
        ({"max_processes": -1}, r"max_processes = -1; expected a non-negative int"),
        ({"max_processes": 1.5}, r"expected a non-negative int"),
        ({"max_processes": True}, r"expected a non-negative int"),
        ({"load_factor": 2}, r"load_factor = 2; expected 0.0 to 1.0"),
        ({"min_processes": 4, "max_processes": 2}, r"min_processes \(4\) > max_processes \(2\)"),
        ({"title": 3}, r"deploy.title = 3; expected a string"),
        ({"title": "ab"}, r"deploy.title = 'ab' has 2 characters; Connect accepts 3 to 1024"),
        ({"description": "x" * 4097}, r"deploy.description has 4097 characters"),
        ({"idle_timeout": 2_592_001}, r"idle_timeout = 2592001; Connect accepts 0 to 2592000"),
        ({"environment": ["CONNECT_TOKEN"]}, r"Connect refuses names starting with CONNECT_"),
        ({"environment": ["posit_thing"]}, r"\['posit_thing'\]; Connect refuses"),
        ({"vanity": "/content/x/"}, r"deploy.vanity: .* may not start with /content"),
        ({"groupz": ["a"]}, r"unknown key\(s\).*: groupz; did you mean 'groups'\?"),
        ({"access_type": "logged-in"}, r"did you mean 'logged_in'\?"),
        ({"deploy_as_collaborator_on": ["connect.example.com"]}, r"expected server URLs"),
        # The pipeline's own keys and tokens cannot be declared for pass-through to app code.
        ({"environment": ["GITHUB_TOKEN"]}, r"\['GITHUB_TOKEN'\]: .* the pipeline's own keys"),
        ({"environment": ["ACTIONS_RUNTIME_TOKEN"]}, r"the pipeline's own keys and tokens"),
        ({"environment": ["gh_token"]}, r"\['gh_token'\]: names starting with"),
        ({"environment": ["RUNNER_TEMP"]}, r"the pipeline's own keys and tokens"),
        ({"team": "yes"}, r"deploy.team = 'yes'; expected true or false"),
    ],
)
def test_bad_tables_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings("demo", table)


def test_description_defaults_to_the_project_description(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndescription = "What x shows"\n'
        '[tool.monorepo.deploy]\ntitle = "X-ray"\n'
    )
    settings = load_settings(AppInfo("x", tmp_path))
    assert (settings.title, settings.description) == ("X-ray", "What x shows")


@pytest.mark.parametrize("app", discover_apps(), ids=lambda a: a.name)
def test_every_app_has_valid_deploy_settings(app: AppInfo) -> None:
    load_settings(app)


def test_named_environment_variables_must_be_set_by_the_deployer() -> None:
    settings = parse_settings("dash", {"environment": ["DASHBOARD_GROUPS", "DASHBOARD_ROWS"]})
    check_environment(settings, {"DASHBOARD_GROUPS": "a", "DASHBOARD_ROWS": "9"})
    with pytest.raises(SettingsError, match=r"^DASHBOARD_ROWS \(named in deploy.environment\)"):
        check_environment(settings, {"DASHBOARD_GROUPS": "a"})


def test_messages_do_not_repeat_the_app_name() -> None:
    # The app's name is added once, where the error is shown.
    with pytest.raises(SettingsError) as raised:
        parse_settings("group-dashboard", {"bogus": 1})
    assert not str(raised.value).startswith("group-dashboard")


def test_vanity_is_normalised() -> None:
    assert parse_settings("demo", {"vanity": "sales"}).vanity == "/sales/"
    assert parse_settings("demo", {}).vanity is None


def test_collaborating_is_opted_in_per_server() -> None:
    settings = parse_settings(
        "demo", {"deploy_as_collaborator_on": ["https://Connect.example.com/"]}
    )
    assert settings.may_collaborate_on("https://connect.example.com")
    assert not settings.may_collaborate_on("https://other.example.com")
    assert not parse_settings("demo", {}).may_collaborate_on("https://connect.example.com")
