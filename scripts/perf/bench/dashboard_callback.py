"""Benchmark: the group dashboard on DuckDB and on PostgreSQL, at 100k, 1M and 10M rows.

Subject: the app served by the runner (gunicorn, as ``make run``), visitor in
``admins`` (every region: the largest scope), posting the dashboard's update
callback with seeded random filters. For each database:

- callback latency p50/p95 at 1M rows (target p95 <= 50 ms) against a bare
  Flask endpoint that takes the same body and runs the same queries through
  the same store and cache (``dashboard_baseline``), same gunicorn settings;
- throughput of 16 clients against that baseline (target >= 0.8x);
- p95 at 10M rows against p95 at 100k (target <= 1.2x): the rollups make a
  query's cost independent of the number of order lines;
- peak RSS of each process (gunicorn master, worker) at 10M rows after the
  latency batches (< 500 MB).

Starting up is measured where it touches the database, in ``first_data``
(spawn to the first chart holding data, against bare Dash running the same
query).

Samples are interleaved A B A B. Latency figures are per-batch percentiles
(one sample per batch of requests); throughput is 16 client threads for a
fixed time, one sample per round. Most filter sets are new, so the per
(scope, filters) cache rarely helps: this measures the queries.

Run alone: ``python -m scripts.perf.bench.dashboard_callback [--quick]
[--sizes 100000,1000000,10000000] [--databases duckdb,postgresql]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.catalog import REPO_ROOT
from scripts.perf.bench import launch, proctree
from scripts.perf.bench.dashboard_databases import (
    KINDS,
    SIZES,
    BenchDatabases,
    bench_databases,
    check_kinds,
    dashboard_subject,
)
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.dashboard_requests import random_update_body
from scripts.perf.loopback import LoopbackClient
from scripts.runner.shutdown import stop

APP = "group-dashboard"
CLIENTS = 16
BASELINE = "bare Flask: same queries and rendering, same gunicorn settings"
MAX_RSS_MB = 500
PROC = Path("/proc")
LISTENING = re.compile(r"Listening at: (http://\S+)")


@contextmanager
def serve_baseline(env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving the bare-Flask baseline on a free port; yields its URL."""
    log = Path(tempfile.mkdtemp(prefix="bench-baseline-")) / "stderr.log"
    command = [
        sys.executable, "-m", "gunicorn", "scripts.perf.bench.dashboard_baseline:create_baseline()",
        "--bind", "127.0.0.1:0", "--worker-class", "gthread", "--workers", "1",
        "--threads", "8", "--log-level", "info", "--timeout", "120",
    ]  # fmt: skip
    with log.open("wb") as err:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stderr=err, env=env)
    try:
        yield _wait_for_listening(process, log) + "/"
    finally:
        stop(process)


def _wait_for_listening(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        match = LISTENING.search(log.read_text(errors="replace"))
        if match:
            url = match.group(1)
            client = LoopbackClient(url + "/")
            while time.monotonic() < deadline:  # listening is not ready: poll health
                try:
                    if client.request("GET", "health")[0] == 200:
                        return url
                except OSError:
                    time.sleep(0.1)
        if process.poll() is not None:
            raise RuntimeError(f"baseline exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)  # polling interval while waiting for start-up
    raise RuntimeError("baseline did not start within 120 s")


def _post(client: LoopbackClient, path: str, body: dict[str, Any]) -> float:
    status, seconds, payload = client.request("POST", path, body)
    if status != 200:
        raise RuntimeError(f"POST {path} answered {status}: {payload[:300]!r}")
    return seconds * 1000


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def latency_figures(
    app_url: str, base_url: str, batches: int, per_batch: int, subject: str
) -> list[Figure]:
    app, base = LoopbackClient(app_url), LoopbackClient(base_url)
    rng = random.Random(1)
    for _ in range(20):  # warm both up (imports, first-request setup)
        body = random_update_body(rng)
        _post(app, UPDATE_PATH, body)
        _post(base, "aggregate", body)
    p50 = Figure("callback latency p50 (1 client)", subject, BASELINE, "ms")
    p95 = Figure("callback latency p95 (1 client)", subject, BASELINE, "ms", max_value=50)
    for _ in range(batches):
        app_ms, base_ms = [], []
        for _ in range(per_batch):
            body = random_update_body(rng)
            app_ms.append(_post(app, UPDATE_PATH, body))  # A
            base_ms.append(_post(base, "aggregate", body))  # B
        p50.subject_samples.append(statistics.median(app_ms))
        p50.baseline_samples.append(statistics.median(base_ms))
        p95.subject_samples.append(_percentile(app_ms, 95))
        p95.baseline_samples.append(_percentile(base_ms, 95))
    for figure in (p50, p95):
        figure.note = f"{batches} batches of {per_batch} requests; one sample = one batch"
    return [p50, p95]


def throughput(url: str, path: str, seconds: float, seed: int) -> float:
    """Requests per second from CLIENTS threads, each on its own connection."""
    done = [0] * CLIENTS
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        rng, connection = random.Random(seed * 100 + index), LoopbackClient(url)
        try:
            while time.monotonic() < stop and not failures:
                _post(connection, path, random_update_body(rng))
                done[index] += 1
        except Exception as error:  # report, do not hide, a failed request
            failures.append(repr(error))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"throughput run failed: {failures[0]}")
    return sum(done) / (time.monotonic() - started)


def throughput_figure(
    app_url: str, base_url: str, rounds: int, seconds: float, subject: str
) -> Figure:
    figure = Figure(
        f"callback throughput ({CLIENTS} clients)", subject, BASELINE, "req/s", min_ratio=0.8
    )
    for round_ in range(rounds):
        figure.subject_samples.append(throughput(app_url, UPDATE_PATH, seconds, round_))
        figure.baseline_samples.append(throughput(base_url, "aggregate", seconds, round_))
    figure.note = f"{rounds} rounds of {seconds:.0f} s each, A then B"
    return figure


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, int, int]  # small, main, large
    batches: int
    per_batch: int
    rounds: int
    seconds: float

    @classmethod
    def for_run(cls, quick: bool, sizes: tuple[int, int, int] = SIZES) -> Plan:
        if quick:
            return cls(sizes, 3, 40, 2, 3.0)
        return cls(sizes, 8, 100, 4, 8.0)


def p95_samples(url: str, plan: Plan) -> list[float]:
    client, rng = LoopbackClient(url), random.Random(2)
    for _ in range(20):
        _post(client, UPDATE_PATH, random_update_body(rng))
    samples = []
    for _ in range(plan.batches):
        batch = [_post(client, UPDATE_PATH, random_update_body(rng)) for _ in range(plan.per_batch)]
        samples.append(_percentile(batch, 95))
    return samples


def peak_rss_per_process_mb(root: int) -> float:
    """The largest peak RSS among ``root`` and its descendants (not their sum)."""
    peaks = [0]
    for pid in proctree.process_tree(root):
        try:
            peaks.append(proctree.peak_kib((PROC / str(pid) / "status").read_text()))
        except OSError:
            continue
    return max(peaks) / 1024


def scale_figures(dbs: BenchDatabases, kind: str, plan: Plan) -> list[Figure]:
    """p95 at the large size against the small one, and the RSS at the large size."""
    small, _, large = plan.sizes
    p95: dict[int, list[float]] = {}
    rss: list[float] = []
    for rows in (small, large):
        with launch.running(dashboard_subject(kind, dbs.env(kind, rows))) as app:
            p95[rows] = p95_samples(app.url, plan)
            if rows == large:
                rss.append(peak_rss_per_process_mb(app.served.process.pid))
    label = f"{APP} on {kind}"
    return [
        Figure(
            f"callback p95 at {large:,} rows vs {small:,}", label, f"same app, {small:,} rows",
            "ms", p95[large], p95[small], max_ratio=1.2,
            note=f"{plan.batches} batches of {plan.per_batch}; one sample = one batch",
        ),
        Figure(
            f"peak RSS per process ({large:,} rows)", label, "", "MB", rss,
            max_value=MAX_RSS_MB, note="largest of gunicorn master and worker, after the batches",
        ),
    ]  # fmt: skip


def database_figures(dbs: BenchDatabases, kind: str, plan: Plan) -> list[Figure]:
    env = dbs.env(kind, plan.sizes[1])
    subject = dashboard_subject(kind, env)
    with (
        launch.running(subject) as app,
        serve_baseline({**os.environ, **subject.env}) as base_url,
    ):
        figures = latency_figures(app.url, base_url, plan.batches, plan.per_batch, subject.name)
        figures.append(
            throughput_figure(app.url, base_url, plan.rounds, plan.seconds, subject.name)
        )
    figures += scale_figures(dbs, kind, plan)
    return figures


def measure(
    quick: bool = False, sizes: tuple[int, int, int] = SIZES, kinds: Sequence[str] = KINDS
) -> list[Figure]:
    plan = Plan.for_run(quick, sizes)
    figures: list[Figure] = []
    errors: list[str] = []
    with bench_databases(kinds) as dbs:
        for kind in kinds:
            try:
                figures += database_figures(dbs, kind, plan)
            except Exception as error:  # the other database still gets measured
                errors.append(f"{kind}: {type(error).__name__}: {error}")
    if errors:
        raise PartialFailure(figures, errors)
    return figures


def parse_sizes(value: str) -> tuple[int, int, int]:
    sizes = tuple(int(v.replace("_", "")) for v in value.split(","))
    if len(sizes) != 3 or not all(s > 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"--sizes {value!r}: expected SMALL,MAIN,LARGE rows")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--sizes", type=parse_sizes, default=SIZES, help="small,main,large rows")
    parser.add_argument("--databases", default=",".join(KINDS), help="duckdb,postgresql")
    args = parser.parse_args()
    kinds = [k for k in args.databases.split(",") if k]
    try:
        check_kinds(kinds)
    except ValueError as error:
        parser.error(str(error))
    try:
        figures = measure(quick=args.quick, sizes=args.sizes, kinds=kinds)
    except PartialFailure as failure:
        print(f"failed: {failure}", file=sys.stderr)
        figures = failure.figures
    if args.json:
        print(json.dumps([f.to_json() for f in figures], indent=2))
        return
    for f in figures:
        verdict = "; ".join(f.misses()) or "target met"
        versus = (
            f" vs baseline {f.baseline_median:.1f} {f.unit} (ratio {f.ratio:.2f})"
            if f.baseline_median is not None and f.ratio is not None
            else ""
        )
        print(
            f"{f.subject} | {f.measure}: {f.subject_median:.1f} {f.unit}{versus}; "
            f"min {min(f.subject_samples):.1f}, max {max(f.subject_samples):.1f} -> {verdict}"
        )


if __name__ == "__main__":
    main()
