"""What a visitor may pick and what they get back: plain data, no database.

``Filters.checked`` turns callback values (which a forged request can make
anything) into filters holding only values the visitor's scope offers
(``Choices``); a selection left with nothing selects nothing, it never widens
to "all". A value of the wrong type (a number for a date, a nested or huge
list) is refused: ``connectkit.InputError``, a sentence the page shows.
Importing this module imports no SQLAlchemy, so the page can be built while
the database side is still starting (``app.Backend``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from connectkit import short_text, string_list

Selection = tuple[str, ...] | None  # None: everything; (): nothing


@dataclass(frozen=True)
class Choices:
    """What a scope can pick: the values its rows hold, and the days they cover."""

    first_day: date | None = None
    last_day: date | None = None
    countries: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """The visitor's picks, checked: only known values, dates inside the data."""

    start: date | None = None
    end: date | None = None  # included
    products: Selection = None
    channels: Selection = None
    countries: Selection = None

    @classmethod
    def checked(
        cls, choices: Choices, start: Any, end: Any, products: Any, channels: Any, countries: Any
    ) -> Filters:
        """From callback values, which a forged request can make anything."""
        for value, label in ((start, "The start date"), (end, "The end date")):
            short_text(value, label, max_chars=40)
        for value, label in ((products, "Product"), (channels, "Channel"), (countries, "Country")):
            string_list(value, label, single=True)
        first, last = choices.first_day, choices.last_day
        return cls(
            start=_clamp(_parse_date(start) or first, first, last),
            end=_clamp(_parse_date(end) or last, first, last),
            products=_selection(products, choices.products),
            channels=_selection(channels, choices.channels),
            countries=_selection(countries, choices.countries),
        )

    def selects_nothing(self) -> bool:
        no_days = self.start is None or self.end is None or self.end < self.start
        return no_days or () in (self.products, self.channels, self.countries)


@dataclass(frozen=True)
class Summary:
    revenue: float = 0.0
    units: int = 0
    orders: int = 0
    months: tuple[str, ...] = ()  # "2023-01", ...
    revenue_by_month: tuple[float, ...] = ()
    revenue_by_country: tuple[tuple[str, float], ...] = ()  # largest first
    # (country, product, revenue, units, orders), largest revenue first
    top: tuple[tuple[str, str, float, int, int], ...] = ()


@dataclass(frozen=True)
class Export:
    csv_text: str
    rows: int
    truncated: bool  # more rows matched than ``limit``
    limit: int

    def note(self) -> str:
        if self.truncated:
            return f"First {self.limit:,} rows only: narrow the filters for the rest."
        return f"{self.rows:,} rows."


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clamp(day: date | None, first: date | None, last: date | None) -> date | None:
    if day is None or first is None or last is None:
        return None
    return min(max(day, first), last)


def _selection(value: object, known: Sequence[str]) -> Selection:
    """None (all) when nothing is picked; else the picked values that are known."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):  # JSON gives lists; anything else is forged
        return ()
    allowed = set(known)
    return tuple(sorted({v for v in value if isinstance(v, str) and v in allowed}))
