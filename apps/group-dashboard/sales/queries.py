"""Scoped aggregations in SQL: the visitor's regions are part of every query.

Every query takes the scope (the visitor's regions, worked out on the server)
and puts it in its WHERE clause as bound parameters, next to the filters; no
value is ever formatted into SQL text. Filters are checked first against the
values the scope's rows hold (``Choices``): an unknown or foreign value is
dropped before it reaches a query or a cache key, and a selection left with
nothing selects nothing (it never widens to "all").

A summary reads whole months from ``monthly_sales`` and the cut months at
the edges of the date range from ``daily_sales``, and sums them by month, by
country and by (country, product) in one GROUPING SETS query: its cost grows
with neither the order lines nor the days. Results are cached for
``refresh_s`` seconds, so new rows show up within that.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from sales.filters import Choices, Export, Filters, Summary
from sales.store import SalesStore
from sales.tables import daily_sales, first_of_month, monthly_sales, sales
from sales.ttl_cache import TTLCache

TOP_N = 10
EXPORT_MAX_ROWS = 50_000
EXPORT_COLUMNS = ("day", "region", "country", "product", "channel", "units", "revenue")
Span = tuple[date, date]  # [first, stop): stop excluded


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_by_months(start: date, end: date) -> tuple[Span | None, list[Span]]:
    """[start, end] as whole months (one span, or None) and the cut edges (days)."""
    stop = end + timedelta(days=1)
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = first_of_month(stop)
    if first_whole >= after_whole:
        return None, [(start, stop)]
    edges = [(start, first_whole), (after_whole, stop)]
    return (first_whole, after_whole), [e for e in edges if e[0] < e[1]]


def months_between(start: date, end: date) -> list[date]:
    months, month = [], first_of_month(start)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def _scope_and_filters(table: sa.Table, regions: Iterable[str], filters: Filters) -> list[Any]:
    """The WHERE clause: the scope, then each selection, all bound parameters."""
    clauses = [table.c.region.in_(list(regions))]
    for column, chosen in (
        ("country", filters.countries),
        ("product", filters.products),
        ("channel", filters.channels),
    ):
        if chosen is not None:
            clauses.append(table.c[column].in_(list(chosen)))
    return clauses


def summary_query(regions: tuple[str, ...], filters: Filters) -> sa.Select[Any]:
    assert filters.start is not None and filters.end is not None
    whole, edges = split_by_months(filters.start, filters.end)
    parts = []
    if whole is not None:
        m = monthly_sales
        parts.append(
            sa.select(m.c.month, m.c.country, m.c.product, m.c.revenue, m.c.units, m.c.orders)
            .where(m.c.month >= whole[0], m.c.month < whole[1])
            .where(*_scope_and_filters(m, regions, filters))
        )
    for first, stop in edges:
        d = daily_sales
        parts.append(
            sa.select(d.c.month, d.c.country, d.c.product, d.c.revenue, d.c.units, d.c.orders)
            .where(d.c.day >= first, d.c.day < stop)
            .where(*_scope_and_filters(d, regions, filters))
        )
    rows = sa.union_all(*parts).subquery("rows")
    return sa.select(
        rows.c.month,
        rows.c.country,
        rows.c.product,
        sa.func.sum(rows.c.revenue).label("revenue"),
        sa.func.sum(rows.c.units).label("units"),
        sa.func.sum(rows.c.orders).label("orders"),
    ).group_by(
        sa.func.grouping_sets(
            sa.tuple_(rows.c.month),
            sa.tuple_(rows.c.country),
            sa.tuple_(rows.c.country, rows.c.product),
        )
    )


def summarise(rows: Iterable[Any], filters: Filters) -> Summary:
    """GROUPING SETS rows (month / country / country+product) as a Summary."""
    assert filters.start is not None and filters.end is not None
    by_month: dict[date, tuple[float, int, int]] = {}
    by_country: dict[str, float] = {}
    pairs: list[tuple[str, str, float, int, int]] = []
    for month, country, product, revenue, units, orders in rows:
        measures = (float(revenue or 0), int(units or 0), int(orders or 0))
        if month is not None:
            by_month[month] = measures
        elif product is not None:
            pairs.append((country, product, round(measures[0], 2), measures[1], measures[2]))
        elif country is not None and measures[2] > 0:  # the rollups hold zero rows too
            by_country[country] = round(measures[0], 2)
    months = months_between(filters.start, filters.end)
    totals = [sum(m[i] for m in by_month.values()) for i in range(3)]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return Summary(
        revenue=round(totals[0], 2),
        units=int(totals[1]),
        orders=int(totals[2]),
        months=tuple(m.strftime("%Y-%m") for m in months),
        revenue_by_month=tuple(round(by_month.get(m, (0.0, 0, 0))[0], 2) for m in months),
        revenue_by_country=tuple(sorted(by_country.items(), key=lambda c: (-c[1], c[0]))),
        top=tuple(p for p in pairs[:TOP_N] if p[4] > 0),
    )


class SalesQueries:
    """Every read the dashboard makes, for one scope (a tuple of regions)."""

    def __init__(
        self, store: SalesStore, refresh_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self._summaries: TTLCache[Summary] = TTLCache(512, refresh_s, clock)
        self._choices: TTLCache[Choices] = TTLCache(64, refresh_s, clock)

    def choices(self, regions: tuple[str, ...]) -> Choices:
        if not regions:
            return Choices()
        return self._choices.get(regions, lambda: self._read_choices(regions))

    def _read_choices(self, regions: tuple[str, ...]) -> Choices:
        m, d = monthly_sales, daily_sales
        in_scope = m.c.region.in_(list(regions))
        with self.store.connect() as connection:
            values = connection.execute(
                sa.select(m.c.country, m.c.product, m.c.channel)
                .where(in_scope)
                .group_by(m.c.country, m.c.product, m.c.channel)
            ).all()
            first, last = connection.execute(
                sa.select(sa.func.min(d.c.day), sa.func.max(d.c.day)).where(
                    d.c.region.in_(list(regions))
                )
            ).one()
        return Choices(
            first_day=first,
            last_day=last,
            countries=tuple(sorted({v[0] for v in values})),
            products=tuple(sorted({v[1] for v in values})),
            channels=tuple(sorted({v[2] for v in values})),
        )

    def summary(self, regions: tuple[str, ...], filters: Filters) -> Summary:
        """The aggregates of the rows in scope that match the (checked) filters."""
        if not regions or filters.selects_nothing():
            return Summary()
        return self._summaries.get((regions, filters), lambda: self._read(regions, filters))

    def _read(self, regions: tuple[str, ...], filters: Filters) -> Summary:
        with self.store.connect() as connection:
            rows = connection.execute(summary_query(regions, filters)).all()
        return summarise(rows, filters)

    def export(self, regions: tuple[str, ...], filters: Filters) -> Export:
        """The matching order lines as CSV: at most EXPORT_MAX_ROWS, streamed from
        the database in batches, so memory stays bounded whatever matches."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        if not regions or filters.selects_nothing():
            return Export(out.getvalue(), 0, False, EXPORT_MAX_ROWS)
        assert filters.start is not None and filters.end is not None
        query = (
            sa.select(*(sales.c[name] for name in EXPORT_COLUMNS))
            .where(sales.c.day >= filters.start, sales.c.day <= filters.end)
            .where(*_scope_and_filters(sales, regions, filters))
            .order_by(sales.c.day)
            .limit(EXPORT_MAX_ROWS + 1)
        )
        written = 0
        with (
            self.store.connect() as connection,
            connection.execution_options(yield_per=5_000).execute(query) as result,
        ):
            for row in result:
                if written == EXPORT_MAX_ROWS:
                    return Export(out.getvalue(), written, True, EXPORT_MAX_ROWS)
                writer.writerow(row)
                written += 1
        return Export(out.getvalue(), written, False, EXPORT_MAX_ROWS)
