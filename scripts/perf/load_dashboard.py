"""Load test: many simulated visitors on the group dashboard, for a fixed time.

``make load`` (``python -m scripts.perf.load_dashboard``) serves the app through
the runner (gunicorn, as ``make run``) at a million rows, then starts
``--visitors`` threads. Each opens the page as a browser would (index,
layout, dependencies, the first update) and then changes filters in a loop,
pausing up to ``--think`` seconds between changes, until ``--duration``
ends (and never more than ``--max-requests`` each: loops are bounded).
Loopback only. Prints requests, errors and latency percentiles per request
kind; exits 1 on any error.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.dashboard_requests import random_update_body
from scripts.perf.loopback import LoopbackClient

APP = "group-dashboard"
PAGE_LOAD = [("GET", ""), ("GET", "_dash-layout"), ("GET", "_dash-dependencies")]


@dataclass
class Tally:
    """Latencies (ms) per request kind, and the errors seen; shared by visitors."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float, what: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds * 1000)
            if status != 200:
                self.errors.append(f"{what}: HTTP {status}")

    def fail(self, what: str, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{what}: {error!r}")


def visitor(
    url: str, seed: int, stop: float, think: float, max_requests: int, tally: Tally
) -> None:
    rng, client = random.Random(seed), LoopbackClient(url)
    try:
        for method, path in PAGE_LOAD:
            status, seconds, _ = client.request(method, path)
            tally.record(path or "index", status, seconds, f"{method} /{path}")
        for _ in range(max_requests):
            if time.monotonic() >= stop:
                break
            status, seconds, _ = client.request("POST", UPDATE_PATH, random_update_body(rng))
            tally.record("update", status, seconds, f"POST /{UPDATE_PATH}")
            time.sleep(rng.uniform(0, think))  # a visitor reading the page before the next change
    except Exception as error:  # counted and reported, never hidden
        tally.fail(f"visitor {seed}", error)
    finally:
        client.close()


def run_load(url: str, visitors: int, duration: float, think: float, max_requests: int) -> Tally:
    tally = Tally()
    stop = time.monotonic() + duration
    threads = [
        threading.Thread(target=visitor, args=(url, i, stop, think, max_requests, tally))
        for i in range(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def report(tally: Tally, visitors: int, elapsed: float) -> str:
    total = sum(len(v) for v in tally.latencies.values())
    lines = [
        f"{visitors} visitors, {elapsed:.0f} s: {total} requests "
        f"({total / elapsed:.0f} req/s), {len(tally.errors)} errors"
    ]
    for kind, values in sorted(tally.latencies.items()):
        cuts = (
            statistics.quantiles(values, n=100, method="inclusive")
            if len(values) > 1
            else values * 99
        )
        lines.append(
            f"  {kind:20} n={len(values):6}  p50 {cuts[49]:7.1f} ms  p95 {cuts[94]:7.1f} ms  "
            f"p99 {cuts[98]:7.1f} ms  max {max(values):7.1f} ms"
        )
    lines += [f"  error: {e}" for e in tally.errors[:10]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--think", type=float, default=0.5, help="max pause between changes (s)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per visitor")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", help="an already running app (loopback), e.g. from `make run`")
    args = parser.parse_args(argv)
    if args.visitors < 1 or args.duration <= 0:
        parser.error("--visitors must be >= 1 and --duration > 0")

    def drive(url: str) -> int:
        started = time.monotonic()
        tally = run_load(url, args.visitors, args.duration, args.think, args.max_requests)
        print(report(tally, args.visitors, time.monotonic() - started))
        return 1 if tally.errors else 0

    if args.url:
        return drive(args.url)
    from scripts.runner.serve import serve  # the runner, as `make run` starts apps

    print(f"starting {APP} with {args.rows:,} rows...", flush=True)
    env = {"DASHBOARD_ROWS": str(args.rows)}
    with serve(APP, user="load", groups=["admins"], env=env, ready="index") as app:
        code = drive(app.url)
        log = app.stderr()
        if "Traceback" in log:
            print(f"the app printed tracebacks:\n{log[log.index('Traceback') :][:3000]}")
            code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
