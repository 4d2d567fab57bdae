"""Per-app deploy settings: ``[tool.monorepo.deploy]`` in the app's pyproject.toml.

    [tool.monorepo.deploy]
    title = "Sales dashboard"                 # 3 to 1024 characters
    description = "Regional sales, gated by group"  # at most 4096
    access_type = "acl"                 # all | logged_in | acl
    groups = ["sales-emea", "sales-us"] # viewer groups (acl only), exact names or GUIDs
    environment = ["DASHBOARD_GROUPS"]  # names; values come from the deployer's environment
    max_processes = 3                   # Connect process settings; unset ones: server default
    vanity = "/sales/"                  # a vanity URL (index page only)
    oauth_integrations = ["Connect API"]  # OAuth integrations (names or GUIDs) to associate
    tags = ["Samples/Reports"]          # tag paths, after the team's (root pyproject.toml);
                                        # none at all: tags are left as they are
    thumbnail = "screenshot.png"        # PNG or JPEG (the default); false: none managed
    deploy_as_collaborator_on = ["https://connect.example.com"]  # see DeploySettings
    team = false                        # opt out of the team's groups (scripts/deploy/team.py)

Everything is checked here, before the first request: Connect's documented
limits (title, description, timeouts), its prohibited variable names, and
unknown keys, which are an error (a typo must not silently deploy defaults).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scripts.catalog import AppInfo
from scripts.checks.app_environment import PIPELINE_PREFIXES, pipeline_credentials
from scripts.connect_rules.limits import (
    ACCESS_TYPES,
    MAX_DESCRIPTION,
    MAX_TIMEOUT_S,
    PROHIBITED_ENV_PREFIXES,
    TITLE_LENGTH,
)
from scripts.connect_rules.thumbnails import JPEG, MAX_THUMBNAIL_BYTES, PNG, image_type
from scripts.connect_rules.vanity import InvalidVanity, normalise_vanity
from scripts.deploy.team import TeamError, TeamGroups, load_team

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
TIMEOUTS = ("idle_timeout", "init_timeout", "connection_timeout", "read_timeout")
COLLABORATOR_KEY = "deploy_as_collaborator_on"
DEFAULT_THUMBNAIL = "screenshot.png"
THUMBNAIL_TYPES = (PNG, JPEG)
TEAM_KEY = "team"
KNOWN_KEYS = (
    "title",
    "description",
    "access_type",
    "groups",
    "environment",
    "vanity",
    COLLABORATOR_KEY,
    TEAM_KEY,
    *PROCESS_SETTINGS,
    *("oauth_integrations", "tags", "thumbnail"),  # Connect's extras: content_extras.py
)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SettingsError(ValueError):
    """A bad [tool.monorepo.deploy] table; the message names the key, value and fix."""


@dataclass(frozen=True)
class DeploySettings:
    """One app's deploy settings.

    ``collaborator_servers``: the servers (URLs) on which this app may be
    deployed into content another user owns and the deployer collaborates on
    (a CI service account added as a collaborator). Elsewhere only the
    deployer's own content is ever written to.
    """

    title: str
    description: str = ""
    access_type: str = DEFAULT_ACCESS_TYPE
    groups: tuple[str, ...] = ()  # viewer groups: the app's own and the team's
    collaborators: tuple[str, ...] = ()  # collaborator groups (role owner): the team's
    environment: tuple[str, ...] = ()
    process: Mapping[str, int | float] = field(default_factory=dict)
    vanity: str | None = None
    collaborator_servers: tuple[str, ...] = ()
    oauth_integrations: tuple[str, ...] = ()  # names or GUIDs
    tags: tuple[str, ...] | None = None  # "Parent/Child" paths; None: not managed
    thumbnail: str | None = DEFAULT_THUMBNAIL  # a file in the app folder; None: not managed
    thumbnail_declared: bool = False  # False: the default screenshot, skipped where unsupported

    def may_collaborate_on(self, server_url: str) -> bool:
        return normalise_server(server_url) in self.collaborator_servers


def normalise_server(url: str) -> str:
    return url.strip().rstrip("/").lower()


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """``; did you mean X?`` for a near match, else ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _string_list(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SettingsError(f"deploy.{key} = {value!r}; expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _process_value(key: str, value: Any) -> int | float:
    kind = PROCESS_SETTINGS[key]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric or (kind is int and not isinstance(value, int)) or value < 0:
        raise SettingsError(f"deploy.{key} = {value!r}; expected a non-negative {kind.__name__}")
    if key == "load_factor" and not 0 <= value <= 1:
        raise SettingsError(f"deploy.load_factor = {value!r}; expected 0.0 to 1.0")
    if key in TIMEOUTS and value > MAX_TIMEOUT_S:
        raise SettingsError(
            f"deploy.{key} = {value!r}; Connect accepts 0 to {MAX_TIMEOUT_S} seconds"
        )
    return int(value) if kind is int else float(value)


def _check_keys(table: Mapping[str, Any]) -> None:
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        hints = "".join(did_you_mean(key, KNOWN_KEYS) for key in unknown)
        raise SettingsError(
            f"unknown key(s) in [tool.monorepo.deploy]: {', '.join(unknown)}{hints} "
            f"(expected some of: {', '.join(KNOWN_KEYS)})"
        )


def _text(table: Mapping[str, Any], app: str) -> tuple[str, str]:
    for key in ("title", "description"):
        if key in table and not isinstance(table[key], str):
            raise SettingsError(f"deploy.{key} = {table[key]!r}; expected a string")
    title = table.get("title", "").strip() or app
    low, high = TITLE_LENGTH
    if not low <= len(title) <= high:
        raise SettingsError(
            f"deploy.title = {title!r} has {len(title)} characters; "
            f"Connect accepts {low} to {high}: change deploy.title"
        )
    description = table.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        raise SettingsError(
            f"deploy.description has {len(description)} characters; "
            f"Connect accepts at most {MAX_DESCRIPTION}: shorten it"
        )
    return title, description


def _access(table: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    access_type = table.get("access_type", DEFAULT_ACCESS_TYPE)
    if access_type not in ACCESS_TYPES:
        raise SettingsError(
            f"deploy.access_type = {access_type!r}; expected one of: {', '.join(ACCESS_TYPES)}"
            + did_you_mean(str(access_type), ACCESS_TYPES)
        )
    groups = _string_list("groups", table.get("groups", []))
    if groups and access_type != "acl":
        raise SettingsError(
            f"deploy.groups is set but access_type = {access_type!r}; "
            'viewer groups only apply with access_type = "acl"'
        )
    return access_type, groups


def _environment(table: Mapping[str, Any]) -> tuple[str, ...]:
    environment = _string_list("environment", table.get("environment", []))
    bad_names = [n for n in environment if not ENV_NAME.match(n)]
    if bad_names:
        raise SettingsError(
            f"deploy.environment has {bad_names!r}; expected variable NAMES only "
            "(values come from the deployer's environment and are never committed)"
        )
    prohibited = [n for n in environment if n.upper().startswith(PROHIBITED_ENV_PREFIXES)]
    if prohibited:
        raise SettingsError(
            f"deploy.environment has {prohibited!r}; Connect refuses names starting with "
            f"{', '.join(PROHIBITED_ENV_PREFIXES)} (its own): rename the variable"
        )
    credentials = pipeline_credentials(environment)
    if credentials:
        raise SettingsError(
            f"deploy.environment has {credentials!r}: names starting with "
            f"{', '.join(PIPELINE_PREFIXES)} are the pipeline's own keys and tokens, never "
            "passed to app code; give the app its own variable (and its own credential)"
        )
    return environment


def _vanity(table: Mapping[str, Any]) -> str | None:
    if "vanity" not in table:
        return None
    try:
        return normalise_vanity(table["vanity"])
    except InvalidVanity as error:
        raise SettingsError(f"deploy.vanity: {error}") from None


def _collaborator_servers(table: Mapping[str, Any]) -> tuple[str, ...]:
    servers = _string_list(COLLABORATOR_KEY, table.get(COLLABORATOR_KEY, []))
    bad = [s for s in servers if not s.startswith(("http://", "https://"))]
    if bad:
        raise SettingsError(
            f"deploy.{COLLABORATOR_KEY} has {bad!r}; expected server URLs such as "
            "https://connect.example.com (the CONNECT_SERVER the deploy uses)"
        )
    return tuple(normalise_server(s) for s in servers)


def _extras(table: Mapping[str, Any]) -> dict[str, Any]:
    """OAuth integrations, tags and the thumbnail (checked against the server later)."""
    tags = table.get("tags")
    thumbnail = table.get("thumbnail", DEFAULT_THUMBNAIL)
    if thumbnail is not False and (not isinstance(thumbnail, str) or not thumbnail.strip()):
        raise SettingsError(
            f"deploy.thumbnail = {thumbnail!r}; expected a PNG or JPEG file in the app folder "
            "(default screenshot.png), or false for none"
        )
    bad = [t for t in _string_list("tags", tags or []) if any(not p for p in t.split("/"))]
    if bad:
        raise SettingsError(f"deploy.tags has {bad!r}; expected names or Parent/Child paths")
    return {
        "oauth_integrations": _string_list(
            "oauth_integrations", table.get("oauth_integrations", [])
        ),
        "tags": None if tags is None else _string_list("tags", tags),
        "thumbnail": thumbnail.strip() if isinstance(thumbnail, str) else None,
        "thumbnail_declared": "thumbnail" in table,
    }


def _check_thumbnail(app_dir: Path, settings: DeploySettings) -> DeploySettings:
    """The thumbnail file is a PNG or JPEG within Connect's size; a missing default is none."""
    if settings.thumbnail is None:
        return settings
    path = app_dir / settings.thumbnail
    if not path.resolve().is_relative_to(app_dir.resolve()) or not path.is_file():
        if not settings.thumbnail_declared:
            return replace(settings, thumbnail=None)
        raise SettingsError(
            f"deploy.thumbnail = {settings.thumbnail!r}: no such file in {app_dir.name}/"
        )
    data = path.read_bytes()
    if image_type(data) not in THUMBNAIL_TYPES or len(data) > MAX_THUMBNAIL_BYTES:
        raise SettingsError(
            f"deploy.thumbnail {settings.thumbnail!r} is {image_type(data) or 'not an image'} "
            f"of {len(data)} bytes; expected a PNG or JPEG of at most {MAX_THUMBNAIL_BYTES} bytes"
        )
    return settings


def _team(table: Mapping[str, Any], team: TeamGroups, access_type: str) -> TeamGroups:
    """The team's groups this app gets: none with ``team = false``; viewers only for acl."""
    wanted = table.get(TEAM_KEY, True)
    if not isinstance(wanted, bool):
        raise SettingsError(f"deploy.team = {wanted!r}; expected true or false")
    if not wanted:
        return TeamGroups()
    return TeamGroups(team.viewers if access_type == "acl" else (), team.collaborators)


NO_TEAM = TeamGroups()


def parse_settings(
    app: str, table: Mapping[str, Any], team: TeamGroups = NO_TEAM
) -> DeploySettings:
    """Validate one app's deploy table (``app`` is the default title); add the team's groups."""
    _check_keys(table)
    title, description = _text(table, app)
    access_type, groups = _access(table)
    shared = _team(table, team, access_type)
    process = {k: _process_value(k, table[k]) for k in PROCESS_SETTINGS if k in table}
    low, high = process.get("min_processes"), process.get("max_processes")
    if low is not None and high is not None and low > high:
        raise SettingsError(f"deploy.min_processes ({low}) > max_processes ({high})")
    return DeploySettings(
        title=title,
        description=description,
        access_type=access_type,
        groups=tuple(dict.fromkeys((*groups, *shared.viewers))),
        collaborators=shared.collaborators,
        environment=_environment(table),
        process=process,
        vanity=_vanity(table),
        collaborator_servers=_collaborator_servers(table),
        **_with_team_tags(_extras(table), team.tags),
    )


def _with_team_tags(extras: dict[str, Any], team_tags: tuple[str, ...]) -> dict[str, Any]:
    """The team's tag paths first, then the app's own (``team = false`` keeps them)."""
    own = extras["tags"]
    if team_tags:
        extras["tags"] = tuple(dict.fromkeys((*team_tags, *(own or ()))))
    return extras


def load_settings(app: AppInfo) -> DeploySettings:
    """The app's deploy settings; the description defaults to its [project] description."""
    table = app.settings().get("deploy", {})
    if not isinstance(table, dict):
        raise SettingsError("[tool.monorepo.deploy] must be a table")
    pyproject = app.path / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text()).get("project", {}) if pyproject.is_file() else {}
    defaults = {"description": project.get("description", "")}
    try:
        team = load_team(app.path.parent.parent)  # the workspace root: apps/<name>/..
    except TeamError as error:
        raise SettingsError(str(error)) from None
    return _check_thumbnail(app.path, parse_settings(app.name, {**defaults, **table}, team))


def check_environment(settings: DeploySettings, environ: Mapping[str, str]) -> None:
    """Every variable ``deploy.environment`` names must be set where the deploy runs."""
    missing = [name for name in settings.environment if name not in environ]
    if missing:
        raise SettingsError(
            f"{', '.join(missing)} (named in deploy.environment) not set in the "
            "deployer's environment; export it and retry"
        )
