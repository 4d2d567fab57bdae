"""The group dashboard's update request, with random filters a visitor might pick.

The benchmark and the load test replay it; the filters come from a seeded
generator, so two runs (and the subject and its baseline) send the same ones.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from scripts.perf.dash_requests import callback_body

OUTPUTS = [
    ("kpi-revenue", "children"),
    ("kpi-units", "children"),
    ("kpi-orders", "children"),
    ("revenue-over-time", "figure"),
    ("revenue-by-country", "figure"),
    ("top-table", "children"),
]
# What a visitor can pick on the page. Kept here, not imported from the app, so
# the client stays a client; a name the app does not know would only be ignored.
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2024, 12, 31)
PRODUCTS = ["Atlas", "Beacon", "Comet", "Drift", "Ember", "Flux"]
CHANNELS = ["Online", "Retail", "Partner"]
COUNTRIES = ["United Kingdom", "Germany", "France", "United States", "Canada", "Japan", "India"]


def update_body(
    start: date | None,
    end: date | None,
    products: list[str],
    channels: list[str],
    countries: list[str],
) -> dict[str, Any]:
    """The update callback's body; no dates means the whole period."""
    return callback_body(
        OUTPUTS,
        [
            ("dates", "start_date", start.isoformat() if start else None),
            ("dates", "end_date", end.isoformat() if end else None),
            ("product", "value", products or None),
            ("channel", "value", channels or None),
            ("country", "value", countries or None),
        ],
    )


def random_update_body(rng: random.Random) -> dict[str, Any]:
    """A date range of a week to four years and small random selections."""
    span = (LAST_DAY - FIRST_DAY).days
    start = FIRST_DAY + timedelta(days=rng.randrange(span - 7))
    end = start + timedelta(days=rng.randrange(7, span - (start - FIRST_DAY).days + 1))
    return update_body(
        start,
        min(end, LAST_DAY),
        rng.sample(PRODUCTS, rng.randrange(0, 3)),
        rng.sample(CHANNELS, rng.randrange(0, 2)),
        rng.sample(COUNTRIES, rng.randrange(0, 3)),
    )
