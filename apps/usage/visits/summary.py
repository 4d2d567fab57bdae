"""Counting visits: per app over time, unique visitors, who visits most, who is idle.

Pure functions over plain records, so every figure the page shows is a
unit-tested number. A visit is Connect's instrumentation record
(``content_guid``, ``user_guid`` or None when anonymous, ``time`` in RFC 3339).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

ANONYMOUS = "(anonymous)"


@dataclass(frozen=True)
class App:
    guid: str
    title: str


@dataclass(frozen=True)
class Visit:
    content_guid: str
    user_guid: str | None
    time: datetime
    path: str = "/"


def parse_visit(record: Mapping[str, Any]) -> Visit | None:
    """A visit from Connect's record; None for one without a usable time or content."""
    try:
        moment = datetime.fromisoformat(str(record["time"]).replace("Z", "+00:00"))
        guid = str(record["content_guid"])
    except (KeyError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    user = record.get("user_guid")
    return Visit(guid, str(user) if user else None, moment, str(record.get("path") or "/"))


def period_start(day: date, period: str) -> date:
    """The first day of ``day``'s period: itself, or the Monday of its ISO week."""
    return day - timedelta(days=day.weekday()) if period == "week" else day


def periods(first: date, last: date, period: str) -> list[date]:
    """Every period from ``first`` to ``last``: the x axis, gaps included."""
    step = timedelta(days=7 if period == "week" else 1)
    current, end = period_start(first, period), period_start(last, period)
    found = []
    while current <= end:
        found.append(current)
        current += step
    return found


@dataclass(frozen=True)
class Usage:
    """Everything the page shows for one choice of filters."""

    axis: tuple[date, ...]
    per_app: dict[str, tuple[int, ...]]  # app guid -> visits per period on ``axis``
    totals: dict[str, int]  # app guid -> visits
    unique_visitors: dict[str, int]  # app guid -> distinct signed-in visitors (+1 if anonymous)
    top_visitors: tuple[tuple[str, int, int], ...]  # (user guid or ANONYMOUS, visits, apps)
    idle: tuple[str, ...]  # app guids nobody opened in the window
    visits: tuple[Visit, ...]  # the visits counted, oldest first


def summarise(
    visits: Iterable[Visit],
    apps: Sequence[App],
    *,
    now: datetime,
    days: int,
    period: str,
    chosen: Sequence[str] = (),
    top: int = 10,
) -> Usage:
    """The usage of ``apps`` (or the ``chosen`` ones) over the last ``days`` days."""
    wanted = {a.guid for a in apps if not chosen or a.guid in chosen}
    since = now - timedelta(days=days)
    counted = tuple(
        sorted(
            (v for v in visits if v.content_guid in wanted and since <= v.time <= now),
            key=lambda v: v.time,
        )
    )
    axis = periods(since.date(), now.date(), period)
    index = {day: i for i, day in enumerate(axis)}
    series: dict[str, list[int]] = {g: [0] * len(axis) for g in wanted}
    visitors: dict[str, set[str]] = defaultdict(set)
    per_user: Counter[str] = Counter()
    user_apps: dict[str, set[str]] = defaultdict(set)
    for visit in counted:
        series[visit.content_guid][index[period_start(visit.time.date(), period)]] += 1
        who = visit.user_guid or ANONYMOUS
        visitors[visit.content_guid].add(who)
        per_user[who] += 1
        user_apps[who].add(visit.content_guid)
    ordered = [a.guid for a in apps if a.guid in wanted]
    totals = {g: sum(series[g]) for g in ordered}
    ranking = sorted(per_user.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Usage(
        axis=tuple(axis),
        per_app={g: tuple(series[g]) for g in ordered},
        totals=totals,
        unique_visitors={g: len(visitors[g]) for g in ordered},
        top_visitors=tuple((who, n, len(user_apps[who])) for who, n in ranking),
        idle=tuple(g for g in ordered if totals[g] == 0),
        visits=counted,
    )
