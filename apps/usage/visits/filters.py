"""The page's filters, checked by type against what the page offered.

A callback's inputs come from the browser, so anything may arrive: a float
for a number, ``True`` for an int, an unknown app, a list of a million
items. Each is checked here before it reaches a count; a bad value becomes a
``FilterError`` whose sentence the page shows, never a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from visits.fetch import ScopedApp

PERIODS = ("day", "week")
WINDOWS = (7, 30, 90)  # days
DEFAULT_WINDOW = 30
MAX_APPS = 100  # more app GUIDs than that in one request is not a person choosing


class FilterError(ValueError):
    """A filter value the page did not offer; the message names it."""


@dataclass(frozen=True)
class Filters:
    period: str = "day"
    days: int = DEFAULT_WINDOW
    tag: str = ""  # "" : every tag
    owner: str = ""  # "" : every owner
    apps: tuple[str, ...] = ()  # app GUIDs; empty: every app in scope

    def scoped(self, apps: Sequence[ScopedApp]) -> list[ScopedApp]:
        """The apps the tag and owner filters keep."""
        return [
            a
            for a in apps
            if (not self.tag or any(t == self.tag or t.startswith(self.tag + "/") for t in a.tags))
            and (not self.owner or a.owner == self.owner)
        ]


def tag_choices(apps: Sequence[ScopedApp]) -> list[str]:
    """Every tag path on the apps, and each of their parents."""
    found: set[str] = set()
    for app in apps:
        for path in app.tags:
            parts = path.split("/")
            found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(found)


def _one_of(name: str, value: Any, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = repr(value)[:80]
        raise FilterError(f"{name} {shown} is not one of the choices offered")
    return value


def check_filters(
    apps: Sequence[ScopedApp],
    period: Any,
    days: Any,
    tag: Any,
    owner: Any,
    chosen: Any,
) -> Filters:
    """The filters, each checked against what the page offered for ``apps``."""
    period = _one_of("The period", period if period is not None else "day", PERIODS)
    if days is None:
        days = DEFAULT_WINDOW
    if type(days) is not int or days not in WINDOWS:
        shown = repr(days)[:80]
        raise FilterError(f"The window {shown} is not one of {', '.join(map(str, WINDOWS))} days")
    tag = _one_of("The tag", tag, tag_choices(apps)) if tag not in (None, "") else ""
    owners = sorted({a.owner for a in apps})
    owner = _one_of("The owner", owner, owners) if owner not in (None, "") else ""
    if chosen is None:
        chosen = []
    if not isinstance(chosen, list) or len(chosen) > MAX_APPS:
        raise FilterError(f"The apps filter takes a list of at most {MAX_APPS} apps")
    known = {a.guid for a in apps}
    if not all(isinstance(g, str) and g in known for g in chosen):
        raise FilterError("The apps filter names an app you cannot see, or none at all")
    return Filters(period, days, tag, owner, tuple(dict.fromkeys(chosen)))
