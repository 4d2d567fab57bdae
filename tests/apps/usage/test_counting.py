"""The usage app's numbers: visits per app and period, unique and top visitors, idle apps,
the CSV; and its filters, checked by type before anything counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # a Wednesday
A, B, C = "a" * 8, "b" * 8, "c" * 8


def apps(visits: dict[str, ModuleType]) -> list[Any]:
    scoped = visits["fetch"].ScopedApp
    return [
        scoped(A, "Alpha", owner="pat", tags=("Samples/Dash",)),
        scoped(B, "Beta", owner="pat", tags=("Samples/Dash", "Samples/Connect API")),
        scoped(C, "Gamma", owner="quinn", tags=()),
    ]


def visit(visits: dict[str, ModuleType], guid: str, user: str | None, when: str) -> Any:
    record = {"content_guid": guid, "user_guid": user, "time": when, "path": "/"}
    return visits["summary"].parse_visit(record)


def sample(visits: dict[str, ModuleType]) -> list[Any]:
    return [
        visit(visits, A, "u-pat", "2026-03-18T09:00:00Z"),
        visit(visits, A, "u-pat", "2026-03-17T09:00:00.123456Z"),
        visit(visits, A, None, "2026-03-16T09:00:00+00:00"),
        visit(visits, B, "u-quinn", "2026-03-09T09:00:00Z"),  # the week before
        visit(visits, A, "u-quinn", "2026-01-01T09:00:00Z"),  # outside 30 days
        visit(visits, "d" * 8, "u-pat", "2026-03-18T10:00:00Z"),  # an app out of scope
    ]


def test_visits_are_counted_per_app_and_day_with_unique_and_top_visitors(
    visits: dict[str, ModuleType],
) -> None:
    usage = visits["summary"].summarise(
        sample(visits), apps(visits), now=NOW, days=30, period="day"
    )
    assert usage.totals == {A: 3, B: 1, C: 0}
    assert len(usage.axis) == 31 and usage.axis[-1] == date(2026, 3, 18)
    assert usage.per_app[A][-3:] == (1, 1, 1) and sum(usage.per_app[B]) == 1
    assert usage.unique_visitors == {A: 2, B: 1, C: 0}  # pat and the anonymous visitor
    assert usage.top_visitors == (("u-pat", 2, 1), ("(anonymous)", 1, 1), ("u-quinn", 1, 1))
    assert usage.idle == (C,)


def test_weeks_start_on_monday_and_windows_cut_old_visits(visits: dict[str, ModuleType]) -> None:
    summary = visits["summary"]
    weekly = summary.summarise(sample(visits), apps(visits), now=NOW, days=7, period="week")
    assert weekly.axis == (date(2026, 3, 9), date(2026, 3, 16))
    assert weekly.per_app[A] == (0, 3) and weekly.per_app[B] == (0, 0)  # 9 March: 9 days ago
    assert weekly.idle == (B, C)
    chosen = summary.summarise(
        sample(visits), apps(visits), now=NOW, days=90, period="week", chosen=[B]
    )
    assert chosen.totals == {B: 1}
    assert summary.parse_visit({"content_guid": A, "time": "yesterday"}) is None


def test_the_csv_holds_every_counted_visit_with_names(visits: dict[str, ModuleType]) -> None:
    usage = visits["summary"].summarise(
        sample(visits), apps(visits), now=NOW, days=30, period="day"
    )
    text = visits["views"].csv_text(usage, apps(visits), {"u-pat": "pat"})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["time", "app", "content_guid", "visitor", "path"]
    assert [(r[1], r[3]) for r in rows[1:]] == [
        ("Beta", "u-quinn"),
        ("Alpha", "(anonymous)"),
        ("Alpha", "pat"),
        ("Alpha", "pat"),
    ]


def test_tag_and_owner_filters_keep_their_apps(visits: dict[str, ModuleType]) -> None:
    filters = visits["filters"]
    scoped = apps(visits)
    assert filters.tag_choices(scoped) == ["Samples", "Samples/Connect API", "Samples/Dash"]
    by_tag = filters.check_filters(scoped, "week", 7, "Samples", "", [])
    assert [a.title for a in by_tag.scoped(scoped)] == ["Alpha", "Beta"]
    by_owner = filters.check_filters(scoped, "day", 90, None, "quinn", None)
    assert [a.title for a in by_owner.scoped(scoped)] == ["Gamma"]
    assert filters.check_filters(scoped, None, None, None, None, [A, A]).apps == (A,)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (("month", 7, "", "", []), "period"),
        ((3, 7, "", "", []), "period"),
        (("day", 7.0, "", "", []), "window"),
        (("day", True, "", "", []), "window"),
        (("day", 14, "", "", []), "window"),
        (("day", "7", "", "", []), "window"),
        (("day", 7, "Elsewhere", "", []), "tag"),
        (("day", 7, ["Samples"], "", []), "tag"),
        (("day", 7, "", "mallory", []), "owner"),
        (("day", 7, "", "", "a" * 8), "apps"),
        (("day", 7, "", "", ["z" * 8]), "apps"),
        (("day", 7, "", "", [1]), "apps"),
        (("day", 7, "", "", ["a" * 8] * 101), "apps"),
    ],
)
def test_a_value_the_page_did_not_offer_gets_a_sentence(
    visits: dict[str, ModuleType], values: tuple[Any, ...], named: str
) -> None:
    with pytest.raises(visits["filters"].FilterError, match=f"(?i)the {named}"):
        visits["filters"].check_filters(apps(visits), *values)
