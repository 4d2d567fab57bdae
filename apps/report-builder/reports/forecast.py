"""The long computation: a Monte Carlo forecast of revenue per region and
product line over the next months, from the history (``reports.history``).

Pure and callable directly (the bench times it against the same call made
through a job manager). The work is split into steps; after each one
``on_step(done, total)`` is called, which is where a job reports progress.
``pace_s`` stretches the whole run to about that long (the report's stand-in
for a slow source or model): the steps sleep between them, so a cancelled
job stops at the next step at the latest, and the CPU stays free.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from connectkit import string_list, whole_number

from reports.history import PRODUCT_LINES, REGIONS, monthly_revenue

HORIZONS = (3, 6, 12)  # months
PATH_COUNTS = (1_000, 5_000, 20_000)
STEPS = 40
Series = tuple[str, str]  # (region, product line)


@dataclass(frozen=True)
class ReportRequest:
    """What a visitor asks for, already checked against what exists and their scope."""

    regions: tuple[str, ...]
    lines: tuple[str, ...]
    horizon: int
    paths: int

    @classmethod
    def checked(
        cls,
        regions: object,
        lines: object,
        horizon: object,
        paths: object,
        *,
        allowed_regions: Iterable[str],
    ) -> ReportRequest:
        """Unknown values and regions outside ``allowed_regions`` are dropped, never
        widened to "all"; a horizon or path count not offered takes the smallest.
        A value of the wrong type (a float, a string for a list, a nested or huge
        list) is an ``InputError`` whose message the page shows."""
        allowed = set(allowed_regions)
        picked = set(string_list(regions, "Regions") or ())
        wanted_lines = set(string_list(lines, "Product lines") or ())
        months = whole_number(horizon, "Months ahead")
        count = whole_number(paths, "Simulated paths")
        return cls(
            regions=tuple(r for r in REGIONS if r in picked and r in allowed),
            lines=tuple(x for x in PRODUCT_LINES if x in wanted_lines),
            horizon=months if months in HORIZONS else HORIZONS[0],
            paths=count if count in PATH_COUNTS else PATH_COUNTS[0],
        )

    @property
    def series(self) -> tuple[Series, ...]:
        return tuple((r, x) for r in self.regions for x in self.lines)


@dataclass(frozen=True)
class ForecastRow:
    region: str
    line: str
    last_year: float  # thousands, the same months a year earlier
    p10: float
    median: float
    p90: float


def _simulate(series: Series, horizon: int, paths: int, seed: str) -> list[float]:
    """``paths`` totals over ``horizon`` months: last year's months, grown with noise."""
    history = monthly_revenue(*series)
    recent, year_before = history[-12:], history[-24:-12]
    growth = sum(recent) / sum(year_before) - 1
    rng = random.Random(f"{seed}/{series[0]}/{series[1]}/{paths}")
    totals = []
    for _ in range(paths):
        path_growth = rng.gauss(growth, 0.03)
        totals.append(
            sum(
                recent[m % 12] * (1 + path_growth) * rng.lognormvariate(0, 0.05)
                for m in range(horizon)
            )
        )
    return totals


def run_forecast(
    request: ReportRequest,
    *,
    pace_s: float = 0.0,
    on_step: Callable[[int, int], None] = lambda done, total: None,
) -> list[ForecastRow]:
    """The forecast, in ``STEPS`` steps; each simulates a share of every series' paths."""
    totals: dict[Series, list[float]] = {s: [] for s in request.series}
    started = time.monotonic()
    on_step(0, STEPS)
    for step in range(STEPS):
        share = request.paths // STEPS + (1 if step < request.paths % STEPS else 0)
        for series in request.series:
            totals[series] += _simulate(series, request.horizon, share, f"step{step}")
        # Paced: the step ends at its share of pace_s (no wait when already late).
        time.sleep(max(0.0, started + pace_s * (step + 1) / STEPS - time.monotonic()))
        on_step(step + 1, STEPS)
    return [_row(series, request.horizon, values) for series, values in totals.items()]


def _row(series: Series, horizon: int, values: list[float]) -> ForecastRow:
    history = monthly_revenue(*series)
    deciles = statistics.quantiles(values, n=10) if len(values) > 1 else values * 9
    return ForecastRow(
        region=series[0],
        line=series[1],
        last_year=round(sum(history[-12:][m % 12] for m in range(horizon)), 1),
        p10=round(deciles[0], 1),
        median=round(statistics.median(values), 1),
        p90=round(deciles[-1], 1),
    )


CSV_COLUMNS = ("region", "product_line", "last_year_k", "p10_k", "median_k", "p90_k")


def report_csv(rows: Iterable[ForecastRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.region, row.line, row.last_year, row.p10, row.median, row.p90])
    return out.getvalue()
