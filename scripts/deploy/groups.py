"""Viewer groups by exact name (or GUID): never a prefix, never the first of several.

Connect's ``GET v1/groups?prefix=`` is a case-insensitive prefix match, so
the exact name is filtered here; several groups with that exact name, or none
but some differing only in case, are an error that lists the candidates. A name that matches
nothing gets the near matches the server has as suggestions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from posit.connect import Client

from scripts.deploy.settings import did_you_mean

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class GroupError(RuntimeError):
    """A group named in deploy.groups is missing or ambiguous; the message lists candidates."""


def match_group(name: str, candidates: Iterable[Mapping[str, Any]]) -> str | list[str]:
    """The GUID of the one group called exactly ``name``, else every exact match's GUID."""
    exact = [g for g in candidates if g["name"] == name or g["guid"] == name]
    if len(exact) == 1:
        return str(exact[0]["guid"])
    return [str(g["guid"]) for g in exact]


def _missing_message(client: Client, missing: list[str]) -> str:
    known = [str(g["name"]) for g in client.groups.find()]
    parts = [f"{name!r}{did_you_mean(name, known)}" for name in missing]
    return (
        f"group(s) not found on the server: {'; '.join(parts)}. Fix deploy.groups in the "
        "app's pyproject.toml (or [tool.monorepo.team] in the root pyproject.toml) or "
        "create the group in Connect"
    )


def resolve_groups(client: Client, names: tuple[str, ...]) -> dict[str, str]:
    """Group name -> GUID for every name; GroupError naming the missing and ambiguous ones."""
    guids: dict[str, str] = {}
    missing: list[str] = []
    ambiguous: list[str] = []
    for name in names:
        candidates = client.groups.find() if GUID.match(name) else client.groups.find(prefix=name)
        match = match_group(name, candidates)
        in_other_case = [g for g in candidates if str(g["name"]).lower() == name.lower()]
        if isinstance(match, str):
            guids[name] = match
        elif match:
            ambiguous.append(f"{name!r} matches {len(match)} groups ({', '.join(match)})")
        elif in_other_case:
            listed = ", ".join(f"{g['name']!r} ({g['guid']})" for g in in_other_case)
            ambiguous.append(f"no group is named exactly {name!r}; candidates: {listed}")
        else:
            missing.append(name)
    problems = []
    if ambiguous:
        problems.append("; ".join(ambiguous) + ": name one by its GUID in deploy.groups instead")
    if missing:
        problems.append(_missing_message(client, missing))
    if problems:
        raise GroupError(". ".join(problems))
    return guids
