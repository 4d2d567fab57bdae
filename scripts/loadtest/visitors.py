"""Who the simulated visitors are: one API key each, never the recording's visitor.

Against an app the tool serves itself (the default), every visitor gets a
fresh random key that the runner maps to ``visitor-<n>`` in one of the app's
groups (``[tool.monorepo.deploy] groups`` in turn, so scoped queries differ;
else the smoke visitor's groups). Against the stand-in or Connect the keys
are the user's (``LOADTEST_API_KEYS``), each a real user there.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from scripts.catalog import AppInfo, smoke_visitor

KEYS_ENV = "LOADTEST_API_KEYS"  # space- or comma-separated; never on a command line


@dataclass(frozen=True)
class SimulatedVisitor:
    key: str
    user: str
    groups: tuple[str, ...]


def group_mix(app: AppInfo) -> list[tuple[str, ...]]:
    """The group sets visitors take in turn: each deploy group alone, else the smoke groups."""
    deploy = app.settings().get("deploy", {})
    groups = deploy.get("groups", []) if isinstance(deploy, dict) else []
    if groups:
        return [(str(g),) for g in groups]
    return [smoke_visitor(app).groups]


def make_visitors(
    app: AppInfo, count: int, mix: list[tuple[str, ...]] | None = None
) -> list[SimulatedVisitor]:
    mix = mix or group_mix(app)
    return [
        SimulatedVisitor(secrets.token_urlsafe(16), f"visitor-{n}", mix[n % len(mix)])
        for n in range(count)
    ]


def write_runner_keys(visitors: list[SimulatedVisitor], path: Path) -> Path:
    """The runner's ``--visitor-keys`` file: each key's user and groups."""
    table = {v.key: {"user": v.user, "groups": list(v.groups)} for v in visitors}
    path.write_text(json.dumps(table))
    path.chmod(0o600)
    return path


def keys_from_text(text: str) -> list[str]:
    """``LOADTEST_API_KEYS``'s keys, in order, duplicates dropped."""
    keys = [k for k in text.replace(",", " ").split() if k]
    return list(dict.fromkeys(keys))
