"""The synthetic sales dataset: deterministic, vectorised, no network.

A fixed seed gives the same rows every time; they are drawn in chunks of
``CHUNK_ROWS`` (numpy draws, pandas categoricals from codes), so ten million rows
never sit in memory at once. Only the loader (``sales.load``) imports this
module: the app itself reads the database and never imports numpy or pandas.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from sales.scope import COUNTRIES, REGION_OF, REGIONS

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


def sales_chunks(rows: int, seed: int = SEED) -> Iterator[pd.DataFrame]:
    """``rows`` order lines in chunks of at most CHUNK_ROWS, each from its own seed."""
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        yield _chunk(min(CHUNK_ROWS, rows - start), np.random.default_rng([seed, index]))


def generate_sales(rows: int, seed: int = SEED) -> pd.DataFrame:
    """Every chunk of ``sales_chunks`` in one frame (tests compare against it)."""
    return pd.concat(list(sales_chunks(rows, seed)), ignore_index=True)


def _chunk(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """``rows`` order lines: day, region, country, product, channel, units, revenue."""
    day = rng.choice(DAYS, size=rows, p=_probabilities(_day_weights())).astype(np.int16)
    country = rng.choice(len(COUNTRIES), size=rows, p=_probabilities(_COUNTRY_WEIGHT))
    product = rng.choice(len(PRODUCTS), size=rows, p=_probabilities(_PRODUCT_WEIGHT))
    channel = rng.choice(len(CHANNELS), size=rows, p=_probabilities(_CHANNEL_WEIGHT))
    units = rng.geometric(0.35, size=rows).astype(np.int32)
    discount = rng.uniform(0.8, 1.0, size=rows)
    revenue = np.round(units * UNIT_PRICE[product] * discount, 2)
    region_codes = np.array([list(REGIONS).index(REGION_OF[c]) for c in COUNTRIES])
    return pd.DataFrame(
        {
            "day": FIRST_DAY + day.astype("timedelta64[D]"),
            "region": pd.Categorical.from_codes(region_codes[country], categories=list(REGIONS)),
            "country": pd.Categorical.from_codes(country, categories=list(COUNTRIES)),
            "product": pd.Categorical.from_codes(product, categories=list(PRODUCTS)),
            "channel": pd.Categorical.from_codes(channel, categories=list(CHANNELS)),
            "units": units,
            "revenue": revenue,
        }
    )
