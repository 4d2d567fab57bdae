"""Time to first data: what a visitor of the dashboard waits for, against bare Dash.

For the dashboard at each size (100k, 1M, 10M order lines) on DuckDB and on
PostgreSQL, in headless Chromium with an empty browser cache:

- from spawn: the server process is spawned, the browser opens the page at
  the first 200 (``launch``), and the clock stops when the first chart has
  drawn its data (``first_data_page``: clocked in the page);
- warm server: from the navigation's start to the same moment, on a server
  that has answered before (median of ``NAVIGATIONS`` loads per start).

Floor, same run, same runner, same database: ``baselines/first-data-floor``,
bare Dash with one ``dcc.Graph`` running the dashboard's first query through
SQLAlchemy (engine made at import, query in the layout). Each round starts
both, one after the other (order alternating), and the ratio is the median of
the rounds' ratios, with its interval. Target: at most 1.1x the floor.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

from selenium.webdriver import Chrome

from scripts.perf.bench import first_data_page, launch, subjects
from scripts.perf.bench.dashboard_databases import (
    KINDS,
    SIZES,
    BenchDatabases,
    bench_databases,
    dashboard_subject,
)
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import WARMUP_ROUNDS, rounds_for

ORDER = 60
FLOOR = "first-data-floor"
FLOOR_LABEL = "bare Dash, one dcc.Graph, same query and database, same runner"
MAX_RATIO = 1.1
QUICK_RUNS, FULL_RUNS = 3, 5
NAVIGATIONS = 2  # warm loads per start; their median is the round's sample


@dataclass
class Visits:
    """Milliseconds to first data of one subject: from spawn, and warm, per round."""

    spawn: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)


def floor_subject(env: dict[str, str]) -> subjects.Subject:
    base = subjects.baseline(FLOOR)
    return subjects.Subject(name=base.name, path=base.path, env=env)


def visit(driver: Chrome, subject: subjects.Subject) -> tuple[float, float]:
    """Spawn ``subject``, time its first data, then warm loads: (from spawn, warm) ms."""
    spawned = time.time()
    with launch.running(subject) as app:
        first = first_data_page.first_data(driver, app.url)
        warm = [
            first_data_page.first_data(driver, app.url).since_nav_ms for _ in range(NAVIGATIONS)
        ]
    return first.since(spawned), statistics.median(warm)


def rounds(
    driver: Chrome, pair: tuple[subjects.Subject, subjects.Subject], runs: int
) -> tuple[Visits, Visits]:
    """Both subjects once per round, the order alternating; warm-up rounds dropped."""
    kept = (Visits(), Visits())
    for round_ in range(WARMUP_ROUNDS + runs):
        order = (0, 1) if round_ % 2 == 0 else (1, 0)
        for index in order:
            spawn, warm = visit(driver, pair[index])
            if round_ >= WARMUP_ROUNDS:  # the first round writes bytecode caches
                kept[index].spawn.append(spawn)
                kept[index].warm.append(warm)
    return kept


def figures_for(
    driver: Chrome, dbs: BenchDatabases, kind: str, rows: int, runs: int
) -> list[Figure]:
    env = dbs.env(kind, rows)
    app = dashboard_subject(kind, env)
    ours, floor = rounds(driver, (app, floor_subject(app.env)), runs)
    return [
        Figure(
            measure=measure, subject=app.name, baseline=FLOOR_LABEL, unit="ms",
            subject_samples=mine, baseline_samples=theirs, max_ratio=MAX_RATIO, paired=True,
            note=note,
        )
        for measure, mine, theirs, note in (
            ("time to first data from spawn", ours.spawn, floor.spawn,
             "server spawned -> first chart drawn with data, empty browser cache"),
            ("time to first data, warm server", ours.warm, floor.warm,
             f"navigation -> first chart data, empty browser cache, median of {NAVIGATIONS}"),
        )
    ]  # fmt: skip


def measure(
    quick: bool = False, sizes: Sequence[int] = SIZES, kinds: Sequence[str] = KINDS
) -> list[Figure]:
    runs = rounds_for(quick, FULL_RUNS, QUICK_RUNS)
    figures: list[Figure] = []
    errors: list[str] = []
    with ExitStack() as stack:
        driver = first_data_page.browser(stack)
        dbs = stack.enter_context(bench_databases(kinds))
        for kind in kinds:
            for rows in sizes:
                try:
                    figures += figures_for(driver, dbs, kind, rows, runs)
                except Exception as error:  # the other sizes and databases still run
                    errors.append(f"{kind}, {rows:,} rows: {type(error).__name__}: {error}")
    if errors:
        raise PartialFailure(figures, errors)
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--databases", default=",".join(KINDS))
    args = parser.parse_args()
    try:
        found = measure(args.quick, [int(s) for s in args.sizes.split(",")],
                        args.databases.split(","))  # fmt: skip
    except PartialFailure as failure:
        print(f"failed: {failure}")
        found = failure.figures
    for figure in found:
        data = figure.to_json()
        print(f"{figure.subject} | {figure.measure}: {figure.subject_median:.0f} ms vs "
              f"{figure.baseline_median:.0f} ms: {data['ratio']:.2f}x {data['ratio_interval']} "
              f"{data['misses'] or data['within_noise'] or 'met'}")  # fmt: skip
