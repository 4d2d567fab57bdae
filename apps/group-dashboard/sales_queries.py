"""Scoped aggregations over the sales data, fast at a million rows.

At start-up the rows are summed once into a dense cube (measure x day x
country x product x channel: a few hundred thousand cells whatever the row
count), kept as running totals over days. A query takes one difference per
month of its date range and weights it by the allowed countries, products
and channels: its cost grows with neither the rows nor the days. Results
are also cached per (scope, filters).

The scope is an argument of every query and is intersected with the
country filter here, in the one place all callbacks go through: a filter
naming a country outside the scope selects nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
from sales_data import CHANNELS, COUNTRIES, DAYS, FIRST_DAY, PRODUCTS, REGION_OF, REGIONS

MEASURES = ("revenue", "units", "orders")
TOP_N = 10


@dataclass(frozen=True)
class Filters:
    """What the visitor picked; empty selections mean "all"."""

    start: date | None = None
    end: date | None = None
    products: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    @classmethod
    def from_inputs(
        cls,
        start: str | None,
        end: str | None,
        products: Iterable[str] | str | None,
        channels: Iterable[str] | str | None,
        countries: Iterable[str] | str | None,
    ) -> Filters:
        """From callback values, which a forged request can make anything."""
        return cls(
            start=_parse_date(start),
            end=_parse_date(end),
            products=_names(products),
            channels=_names(channels),
            countries=_names(countries),
        )


@dataclass(frozen=True)
class Summary:
    revenue: float
    units: int
    orders: int
    months: tuple[str, ...]  # "2023-01", ...
    revenue_by_month: tuple[float, ...]
    revenue_by_country: tuple[tuple[str, float], ...]  # largest first
    top: tuple[tuple[str, str, float, int, int], ...]  # country, product, revenue, units, orders


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _names(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):  # JSON gives lists; anything else is forged
        return ()
    return tuple(sorted({v for v in value if isinstance(v, str)}))


def countries_in(regions: Collection[str]) -> tuple[str, ...]:
    """The countries of these regions, in the dataset's order."""
    return tuple(c for c in COUNTRIES if REGION_OF[c] in regions)


def _mask(names: tuple[str, ...], universe: tuple[str, ...]) -> np.ndarray:
    """1.0 for each selected name (all when none is selected), else 0.0."""
    if not names:
        return np.ones(len(universe))
    chosen = set(names)
    return np.array([1.0 if name in chosen else 0.0 for name in universe])


class SalesQueries:
    """Every aggregate the dashboard shows, for one scope and one set of filters."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.first_day = pd.Timestamp(FIRST_DAY).date()
        self.last_day = (pd.Timestamp(FIRST_DAY) + pd.Timedelta(days=DAYS - 1)).date()
        cube = self._build_cube(rows)
        # Running totals over days: any date range is one subtraction away.
        self.running = np.concatenate(
            [np.zeros((*cube.shape[:1], 1, *cube.shape[2:])), cube.cumsum(axis=1)], axis=1
        )
        months = (FIRST_DAY + np.arange(DAYS)).astype("datetime64[M]")
        self._month_of_day = months
        self._month_starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
        self._summary = lru_cache(maxsize=512)(self._compute)

    @staticmethod
    def _build_cube(rows: pd.DataFrame) -> np.ndarray:
        """Sum rows into cells (measure, day, country, product, channel)."""
        day = ((rows["date"].to_numpy() - FIRST_DAY) // np.timedelta64(1, "D")).astype(np.int64)
        shape = (DAYS, len(COUNTRIES), len(PRODUCTS), len(CHANNELS))
        cell = np.ravel_multi_index(
            (
                day,
                rows["country"].cat.codes.to_numpy(),
                rows["product"].cat.codes.to_numpy(),
                rows["channel"].cat.codes.to_numpy(),
            ),
            shape,
        )
        size = int(np.prod(shape))
        cube = np.stack(
            [
                np.bincount(cell, weights=rows["revenue"].to_numpy(), minlength=size),
                np.bincount(cell, weights=rows["units"].to_numpy(), minlength=size),
                np.bincount(cell, minlength=size).astype(np.float64),
            ]
        )
        return cube.reshape((len(MEASURES), *shape))

    def summary(self, scope_countries: Collection[str], filters: Filters) -> Summary:
        """The aggregates of the rows in scope that match the filters."""
        return self._summary(tuple(sorted(set(scope_countries))), filters)

    def _day_range(self, filters: Filters) -> tuple[int, int]:
        start = filters.start or self.first_day
        end = filters.end or self.last_day
        first = max(0, (start - self.first_day).days)
        stop = min(DAYS, (end - self.first_day).days + 1)
        return first, max(first, stop)

    def _compute(self, scope: tuple[str, ...], filters: Filters) -> Summary:
        in_scope = set(scope)
        wanted = [c for c in filters.countries if c in in_scope] if filters.countries else scope
        country_mask = _mask(tuple(wanted), COUNTRIES) if wanted else np.zeros(len(COUNTRIES))
        first, stop = self._day_range(filters)
        # Month segments of [first, stop): the range's edges cut its first and last month.
        inner = self._month_starts[(self._month_starts > first) & (self._month_starts < stop)]
        bounds = np.r_[first, inner, stop] if stop > first else np.array([first])
        segments = self.running[:, bounds[1:]] - self.running[:, bounds[:-1]]
        # measure x month x country, then x country x product: channels and products
        # folded in by matrix products, countries (the scope) by a 0/1 weight.
        by_product = (segments @ _mask(filters.channels, CHANNELS)) * _mask(
            filters.products, PRODUCTS
        )
        by_country_product = by_product.sum(axis=1) * country_mask[:, None]
        by_month = by_product.sum(axis=3) @ country_mask
        totals = by_month.sum(axis=1)
        months = self._month_of_day[bounds[:-1]]

        by_country = by_country_product[0].sum(axis=1)
        country_order = [i for i in np.argsort(-by_country, kind="stable") if country_mask[i]]
        flat = by_country_product.reshape(len(MEASURES), -1)
        top_cells = [i for i in np.argsort(-flat[0], kind="stable")[:TOP_N] if flat[2, i] > 0]
        return Summary(
            revenue=round(float(totals[0]), 2),
            units=round(float(totals[1])),
            orders=round(float(totals[2])),
            months=tuple(str(m) for m in months),
            revenue_by_month=tuple(round(float(v), 2) for v in by_month[0]),
            revenue_by_country=tuple(
                (COUNTRIES[i], round(float(by_country[i]), 2)) for i in country_order
            ),
            top=tuple(
                (
                    COUNTRIES[i // len(PRODUCTS)],
                    PRODUCTS[i % len(PRODUCTS)],
                    round(float(flat[0, i]), 2),
                    round(float(flat[1, i])),
                    round(float(flat[2, i])),
                )
                for i in top_cells
            ),
        )


__all__ = ["REGIONS", "Filters", "SalesQueries", "Summary", "countries_in"]
