"""The team's Connect groups, named once: ``[tool.monorepo.team]`` in the root pyproject.toml.

    [tool.monorepo.team]
    viewers = ["data-team"]        # open every acl app and every preview
    collaborators = ["data-team"]  # Connect role "owner": open drafts, change settings
    tags = ["Samples/Dash"]        # tag paths every app carries, before its own deploy.tags

Everything CI deploys is owned by the deploying key's user (a service
account), so without these an ``acl`` app opens for that account alone.
Every app gets them (viewers only where ``access_type = "acl"``) unless its
own table says ``team = false``; every preview gets them. They are resolved
on the server before anything is written, like ``deploy.groups``. The tags
go on every app, ``team = false`` or not (an app adds its own with
``deploy.tags``): they are how a server groups the team's apps, and what
``apps/usage`` filters by.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEAM_KEYS = ("viewers", "collaborators", "tags")
WHERE = "[tool.monorepo.team] in the root pyproject.toml"


class TeamError(ValueError):
    """A bad team table; the message names the key and the fix."""


@dataclass(frozen=True)
class TeamGroups:
    viewers: tuple[str, ...] = ()
    collaborators: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # "Parent/Child" tag paths


def parse_team(table: Mapping[str, Any]) -> TeamGroups:
    unknown = sorted(set(table) - set(TEAM_KEYS))
    if unknown:
        raise TeamError(
            f"unknown key(s) in {WHERE}: {', '.join(unknown)} (expected: {', '.join(TEAM_KEYS)})"
        )
    values = {}
    for key in TEAM_KEYS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            expected = "tag paths such as Samples/Dash" if key == "tags" else "group names"
            raise TeamError(f"team.{key} = {value!r} in {WHERE}; expected a list of {expected}")
        if key == "tags" and any(not part.strip() for v in value for part in v.split("/")):
            raise TeamError(
                f"team.tags = {value!r} in {WHERE}; expected Parent/Child paths with no empty part"
            )
        values[key] = tuple(dict.fromkeys(v.strip() for v in value))
    return TeamGroups(**values)


def load_team(workspace: Path) -> TeamGroups:
    """The workspace's team groups (none when the table or the file is absent)."""
    pyproject = workspace / "pyproject.toml"
    if not pyproject.is_file():
        return TeamGroups()
    table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("monorepo", {}).get("team", {})
    if not isinstance(table, dict):
        raise TeamError(f"{WHERE} must be a table")
    return parse_team(table)
