"""First start after a deploy: the dashboard on an empty ``cache/``, DuckDB, a million rows.

A new bundle on Connect starts without ``cache/`` (bundles leave it out), so
the dashboard builds its DuckDB file before it can show data. Each round
spawns the dashboard with its DuckDB file in a new, empty temporary
``cache/`` folder and times spawn -> first chart data in headless Chromium
(``first_data_page``), sampling the peak RSS of the whole process tree
(gunicorn master, worker, any child) every ``SAMPLE_S`` meanwhile; then the
same app on the file it built, started the same way (the warm start).

Targets: at most 3x the warm start, under 300 MB at the peak. The note says
what the page showed while it waited, and when (never blank: the status
names the build).
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from selenium.webdriver import Chrome

from scripts.perf.bench import first_data_page, launch, proctree
from scripts.perf.bench.dashboard_databases import bench_databases, dashboard_subject
from scripts.perf.bench.model import Figure
from scripts.perf.bench.schedule import WARMUP_ROUNDS, rounds_for

ORDER = 65
ROWS = 1_000_000
MAX_RATIO = 3.0
MAX_RSS_MB = 300.0
SAMPLE_S = 0.05
QUICK_RUNS, FULL_RUNS = 2, 3


@dataclass
class Peak:
    """The largest sum of peak RSS over a process tree seen so far, in MB."""

    mb: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def sampling(root: int) -> Iterator[Peak]:
    """Sample ``root``'s tree until the block ends (children that lived SAMPLE_S count)."""
    peak = Peak()

    def sample() -> None:
        while True:
            peak.mb = max(peak.mb, proctree.peak_rss_mb(root))
            if peak.stop.wait(SAMPLE_S):
                return

    thread = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        peak.stop.set()
        thread.join()


@dataclass
class Starts:
    first_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    said: str = ""  # what the page showed while it waited, and when


def start_once(
    driver: Chrome, env: dict[str, str]
) -> tuple[float, float, first_data_page.FirstData]:
    """(ms from spawn to first data, peak MB of the tree, what the page showed)."""
    subject = dashboard_subject("duckdb", env)
    spawned = time.time()
    with launch.running(subject) as app, sampling(app.served.process.pid) as peak:
        first = first_data_page.first_data(driver, app.url)
    return first.since(spawned), peak.mb, first


def round_trip(driver: Chrome, env: dict[str, str], starts: Starts, keep: bool) -> None:
    """One first start on an empty cache/, then a warm start on the file it built."""
    with tempfile.TemporaryDirectory(prefix="bench-first-start-") as folder:
        fresh = {**env, "DASHBOARD_DUCKDB": f"{folder}/cache/sales-v2-{ROWS}.duckdb"}
        first_ms, peak_mb, first = start_once(driver, fresh)
        warm_ms, _, _ = start_once(driver, fresh)
    if keep:
        starts.first_ms.append(first_ms)
        starts.warm_ms.append(warm_ms)
        starts.peak_mb.append(peak_mb)
    if first.status:
        starts.said = f"{first.status!r} at {first.status_since_nav_ms:.0f} ms after navigation"


def measure(quick: bool = False) -> list[Figure]:
    starts = Starts()
    with ExitStack() as stack:
        driver = first_data_page.browser(stack)
        env = stack.enter_context(bench_databases(["duckdb"])).env("duckdb", ROWS)
        for round_ in range(WARMUP_ROUNDS + rounds_for(quick, FULL_RUNS, QUICK_RUNS)):
            round_trip(driver, env, starts, keep=round_ >= WARMUP_ROUNDS)
    subject = f"group-dashboard on duckdb ({ROWS:,} rows)"
    said = f"page showed {starts.said}" if starts.said else "page showed NO status while waiting"
    return [
        Figure(
            "first start after a deploy (empty cache/)", subject,
            "same app, its data built: spawn -> first data", "ms",
            starts.first_ms, starts.warm_ms, max_ratio=MAX_RATIO, paired=True, note=said,
        ),
        Figure(
            "peak RSS, first start after a deploy", subject, "", "MB", starts.peak_mb,
            max_value=MAX_RSS_MB, note=f"whole process tree, sampled every {SAMPLE_S:g} s",
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    for figure in measure(parser.parse_args().quick):
        data = figure.to_json()
        print(f"{figure.measure}: {data['subject_median']:.0f} {figure.unit} "
              f"(samples {[round(v) for v in figure.subject_samples]}) ratio {data['ratio']} "
              f"{data['misses'] or data['within_noise'] or 'met'}; {figure.note}")  # fmt: skip
