"""The synthetic sales dataset: deterministic, vectorised, no network.

A fixed seed gives the same rows on every start-up; a million rows build in
well under a second of CPU (numpy draws, pandas categoricals from codes).
One product is a canary: the security tests assert its name never appears
in a response the gate denied.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

SEED = 20240607
DEFAULT_ROWS = 1_000_000
FIRST_DAY = np.datetime64("2021-01-01")
DAYS = 4 * 365 + 1  # 2021-01-01 .. 2024-12-31

# Every country belongs to exactly one region: a region scope is a set of countries.
REGIONS: dict[str, tuple[str, ...]] = {
    "EMEA": ("United Kingdom", "Germany", "France", "Spain", "Italy", "South Africa", "UAE"),
    "AMER": ("United States", "Canada", "Brazil", "Mexico"),
    "APAC": ("Japan", "Australia", "India", "Singapore"),
}
COUNTRIES: tuple[str, ...] = tuple(c for cs in REGIONS.values() for c in cs)
REGION_OF: dict[str, str] = {c: r for r, cs in REGIONS.items() for c in cs}
# Name the security tests look for in every denied response: it must never be there.
CANARY_PRODUCT = "Canary-7f3e91"
PRODUCTS: tuple[str, ...] = ("Atlas", "Beacon", "Comet", "Drift", "Ember", "Flux", CANARY_PRODUCT)
UNIT_PRICE = np.array([120.0, 45.0, 310.0, 18.5, 75.0, 999.0, 12.0])
CHANNELS: tuple[str, ...] = ("Online", "Retail", "Partner")

_COUNTRY_WEIGHT = np.array([8, 9, 7, 5, 5, 2, 2, 20, 4, 4, 3, 6, 3, 4, 2], dtype=float)
_PRODUCT_WEIGHT = np.array([20, 25, 10, 25, 12, 6, 2], dtype=float)
_CHANNEL_WEIGHT = np.array([5, 3, 2], dtype=float)


def _probabilities(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _day_weights() -> np.ndarray:
    """Growth over the years plus a December peak, so the time series has a shape."""
    day = np.arange(DAYS)
    month = (FIRST_DAY + day).astype("datetime64[M]").astype(int) % 12
    return (1.0 + day / DAYS) * np.where(month == 11, 1.6, 1.0)


def rows_from_environ(environ: Mapping[str, str]) -> int:
    """``DASHBOARD_ROWS`` (default a million); bad values are a clear error."""
    raw = environ.get("DASHBOARD_ROWS", "").strip().replace("_", "")
    if not raw:
        return DEFAULT_ROWS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"DASHBOARD_ROWS is {raw!r}; expected a positive whole number of rows")
    return int(raw)


def generate_sales(rows: int = DEFAULT_ROWS, seed: int = SEED) -> pd.DataFrame:
    """``rows`` order lines: date, region, country, product, channel, units, revenue."""
    rng = np.random.default_rng(seed)
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
            "date": FIRST_DAY + day.astype("timedelta64[D]"),
            "region": pd.Categorical.from_codes(region_codes[country], categories=list(REGIONS)),
            "country": pd.Categorical.from_codes(country, categories=list(COUNTRIES)),
            "product": pd.Categorical.from_codes(product, categories=list(PRODUCTS)),
            "channel": pd.Categorical.from_codes(channel, categories=list(CHANNELS)),
            "units": units,
            "revenue": revenue,
        }
    )
