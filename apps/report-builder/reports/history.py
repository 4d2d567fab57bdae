"""The monthly sales history a forecast starts from: 36 months per region and
product line, made up deterministically (a fixed seed per series), so the
app runs with nothing to set up and a test can compute the same numbers."""

from __future__ import annotations

import math
import random
from functools import cache

REGIONS: tuple[str, ...] = ("EMEA", "AMER", "APAC")
PRODUCT_LINES: tuple[str, ...] = ("Hardware", "Software", "Services", "Support")
MONTHS = 36
SEED = 23
# Monthly revenue where each series starts, in thousands.
_REGION_SIZE = {"EMEA": 420.0, "AMER": 610.0, "APAC": 280.0}
_LINE_SHARE = {"Hardware": 0.4, "Software": 0.3, "Services": 0.2, "Support": 0.1}
_GROWTH = {"EMEA": 0.004, "AMER": 0.006, "APAC": 0.011}  # per month


@cache
def monthly_revenue(region: str, line: str) -> tuple[float, ...]:
    """Thousands per month, oldest first: trend, a December peak, noise."""
    if region not in REGIONS or line not in PRODUCT_LINES:
        raise KeyError(f"no history for {region!r}/{line!r}")
    rng = random.Random(f"{SEED}/{region}/{line}")
    level = _REGION_SIZE[region] * _LINE_SHARE[line]
    months = []
    for month in range(MONTHS):
        season = 1.35 if month % 12 == 11 else 1.0 + 0.08 * math.sin(month / 12 * 2 * math.pi)
        trend = (1 + _GROWTH[region]) ** month
        months.append(round(level * season * trend * rng.uniform(0.9, 1.1), 1))
    return tuple(months)
