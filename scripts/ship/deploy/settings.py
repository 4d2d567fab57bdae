"""Per-app deploy settings: ``[tool.monorepo.deploy]`` in the app's pyproject.toml.

    [tool.monorepo.deploy]
    title = "Sales dashboard"
    description = "Regional sales, gated by group"
    access_type = "acl"                 # all | logged_in | acl
    groups = ["sales-emea", "sales-us"] # viewer groups (acl only)
    environment = ["DASHBOARD_GROUPS"]  # names; values come from the deployer's environment
    max_processes = 3                   # Connect process settings (optional)

Unknown keys are an error: a typo must not silently deploy with defaults.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scripts.catalog import AppInfo

ACCESS_TYPES = ("all", "logged_in", "acl")
# Connect's default for new content: only the owner (and collaborators) can view.
DEFAULT_ACCESS_TYPE = "acl"
# Connect's per-content process settings (PATCH v1/content/{guid}) and their types.
PROCESS_SETTINGS: Mapping[str, type] = {
    "min_processes": int,
    "max_processes": int,
    "max_conns_per_process": int,
    "load_factor": float,
    "idle_timeout": int,
    "init_timeout": int,
    "connection_timeout": int,
    "read_timeout": int,
}
KNOWN_KEYS = ("title", "description", "access_type", "groups", "environment", *PROCESS_SETTINGS)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SettingsError(ValueError):
    """A bad [tool.monorepo.deploy] table; the message names the app, key and fix."""


@dataclass(frozen=True)
class DeploySettings:
    title: str
    description: str = ""
    access_type: str = DEFAULT_ACCESS_TYPE
    groups: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    process: Mapping[str, int | float] = field(default_factory=dict)


def _string_list(app: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SettingsError(
            f"{app}: deploy.{key} = {value!r}; expected a list of non-empty strings"
        )
    return tuple(v.strip() for v in value)


def _process_value(app: str, key: str, value: Any) -> int | float:
    kind = PROCESS_SETTINGS[key]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric or (kind is int and not isinstance(value, int)) or value < 0:
        raise SettingsError(
            f"{app}: deploy.{key} = {value!r}; expected a non-negative {kind.__name__}"
        )
    if key == "load_factor" and not 0 <= value <= 1:
        raise SettingsError(f"{app}: deploy.load_factor = {value!r}; expected 0.0 to 1.0")
    return int(value) if kind is int else float(value)


def parse_settings(app: str, table: Mapping[str, Any]) -> DeploySettings:
    """Validate one app's deploy table (``app`` names it in messages)."""
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise SettingsError(
            f"{app}: unknown key(s) in [tool.monorepo.deploy]: {', '.join(unknown)}; "
            f"expected some of: {', '.join(KNOWN_KEYS)}"
        )
    for key in ("title", "description"):
        if key in table and not isinstance(table[key], str):
            raise SettingsError(f"{app}: deploy.{key} = {table[key]!r}; expected a string")
    access_type = table.get("access_type", DEFAULT_ACCESS_TYPE)
    if access_type not in ACCESS_TYPES:
        raise SettingsError(
            f"{app}: deploy.access_type = {access_type!r}; "
            f"expected one of: {', '.join(ACCESS_TYPES)}"
        )
    groups = _string_list(app, "groups", table.get("groups", []))
    if groups and access_type != "acl":
        raise SettingsError(
            f"{app}: deploy.groups is set but access_type = {access_type!r}; "
            'viewer groups only apply with access_type = "acl"'
        )
    environment = _string_list(app, "environment", table.get("environment", []))
    bad_names = [n for n in environment if not ENV_NAME.match(n)]
    if bad_names:
        raise SettingsError(
            f"{app}: deploy.environment has {bad_names!r}; expected variable NAMES only "
            "(values come from the deployer's environment and are never committed)"
        )
    process = {k: _process_value(app, k, table[k]) for k in PROCESS_SETTINGS if k in table}
    low, high = process.get("min_processes"), process.get("max_processes")
    if low is not None and high is not None and low > high:
        raise SettingsError(f"{app}: deploy.min_processes ({low}) > max_processes ({high})")
    return DeploySettings(
        title=table.get("title", "").strip() or app,
        description=table.get("description", ""),
        access_type=access_type,
        groups=groups,
        environment=environment,
        process=process,
    )


def load_settings(app: AppInfo) -> DeploySettings:
    """The app's deploy settings; the description defaults to its [project] description."""
    table = app.settings().get("deploy", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{app.name}: [tool.monorepo.deploy] must be a table")
    pyproject = app.path / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text()).get("project", {}) if pyproject.is_file() else {}
    defaults = {"description": project.get("description", "")}
    return parse_settings(app.name, {**defaults, **table})


def check_environment(app: str, settings: DeploySettings, environ: Mapping[str, str]) -> None:
    """Every variable ``deploy.environment`` names must be set where the deploy runs."""
    missing = [name for name in settings.environment if name not in environ]
    if missing:
        raise SettingsError(
            f"{app}: {', '.join(missing)} (named in deploy.environment) not set in the "
            "deployer's environment; export it and retry"
        )
