"""The synthetic sales dataset: deterministic, vectorised, no network.

A fixed seed gives the same rows every time; they are drawn in chunks of
``CHUNK_ROWS`` (numpy draws, pandas categoricals from codes), so ten million rows
never sit in memory at once. Only the loader (``sales.load``) imports this
module (numpy only; pandas for PostgreSQL's COPY and the tests): serving reads
the database and never imports either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from sales.scope import COUNTRIES, REGION_OF, REGIONS

if TYPE_CHECKING:
    import pandas as pd

Columns = dict[str, np.ndarray]  # one chunk as arrays: day offsets, codes, measures

SEED = 20240607
FIRST_DAY = np.datetime64("2021-01-01")
DAYS = 4 * 365 + 1  # 2021-01-01 .. 2024-12-31

PRODUCTS: tuple[str, ...] = ("Atlas", "Beacon", "Comet", "Drift", "Ember", "Flux")
UNIT_PRICE = np.array([120.0, 45.0, 310.0, 18.5, 75.0, 999.0])
CHANNELS: tuple[str, ...] = ("Online", "Retail", "Partner")

_COUNTRY_WEIGHT = np.array([8, 9, 7, 5, 5, 2, 2, 20, 4, 4, 3, 6, 3, 4, 2], dtype=float)
_PRODUCT_WEIGHT = np.array([20, 25, 10, 25, 12, 6], dtype=float)
_CHANNEL_WEIGHT = np.array([5, 3, 2], dtype=float)


def _probabilities(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _day_weights() -> np.ndarray:
    """Growth over the years plus a December peak, so the time series has a shape."""
    day = np.arange(DAYS)
    month = (FIRST_DAY + day).astype("datetime64[M]").astype(int) % 12
    return (1.0 + day / DAYS) * np.where(month == 11, 1.6, 1.0)


# Small chunks keep a first start's build light (a million rows at once took
# 90 MB more at its peak); changing this changes the rows: bump DEMO_VERSION.
CHUNK_ROWS = 100_000


# What each code column's codes stand for, in code order.
NAMES: dict[str, tuple[str, ...]] = {
    "region": tuple(REGIONS),
    "country": tuple(COUNTRIES),
    "product": PRODUCTS,
    "channel": CHANNELS,
}


def column_chunks(rows: int, seed: int = SEED) -> Iterator[Columns]:
    """``rows`` order lines in chunks of at most CHUNK_ROWS, each from its own seed,
    as numpy arrays: what DuckDB reads directly (no pandas on a first start)."""
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        yield _chunk(min(CHUNK_ROWS, rows - start), np.random.default_rng([seed, index]))


def sales_chunks(rows: int, seed: int = SEED) -> Iterator[pd.DataFrame]:
    """The same chunks as frames (day as a date, names as categoricals)."""
    for columns in column_chunks(rows, seed):
        yield as_frame(columns)


def generate_sales(rows: int, seed: int = SEED) -> pd.DataFrame:
    """Every chunk of ``sales_chunks`` in one frame (tests compare against it)."""
    import pandas as pd

    return pd.concat(list(sales_chunks(rows, seed)), ignore_index=True)


def as_frame(columns: Columns) -> pd.DataFrame:
    import pandas as pd  # only for PostgreSQL's COPY and the tests

    names = {
        name: pd.Categorical.from_codes(columns[name], categories=list(values))
        for name, values in NAMES.items()
    }
    day = FIRST_DAY + columns["day"].astype("timedelta64[D]")
    return pd.DataFrame(
        {"day": day, **names, "units": columns["units"], "revenue": columns["revenue"]}
    )


def _chunk(rows: int, rng: np.random.Generator) -> Columns:
    """``rows`` order lines: day (days after FIRST_DAY), region, country, product and
    channel codes (see NAMES), units, revenue."""
    day = rng.choice(DAYS, size=rows, p=_probabilities(_day_weights())).astype(np.int16)
    country = rng.choice(len(COUNTRIES), size=rows, p=_probabilities(_COUNTRY_WEIGHT))
    product = rng.choice(len(PRODUCTS), size=rows, p=_probabilities(_PRODUCT_WEIGHT))
    channel = rng.choice(len(CHANNELS), size=rows, p=_probabilities(_CHANNEL_WEIGHT))
    units = rng.geometric(0.35, size=rows).astype(np.int32)
    discount = rng.uniform(0.8, 1.0, size=rows)
    revenue = np.round(units * UNIT_PRICE[product] * discount, 2)
    region_codes = np.array([list(REGIONS).index(REGION_OF[c]) for c in COUNTRIES])
    return {
        "day": day,
        "region": region_codes[country].astype(np.int8),
        "country": country.astype(np.int8),
        "product": product.astype(np.int8),
        "channel": channel.astype(np.int8),
        "units": units,
        "revenue": revenue,
    }
