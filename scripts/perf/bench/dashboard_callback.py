"""Benchmark: the group dashboard's callback at a million rows, against bare Flask.

Subject: the app served by the runner (gunicorn, as ``make run``), visitor in
``admins`` (every region: the largest scope), posting the dashboard's update
callback with seeded random filters. Baseline: a bare Flask endpoint that
takes the same body, runs the same scoped aggregation and renders the same
outputs (no Dash request handling), gunicorn with the same worker settings,
in its own process.

Samples are interleaved A B A B. Latency figures are per-batch percentiles
(one sample per batch of requests); throughput is 16 client threads for a
fixed time, one sample per round. Most filter sets are new, so the per
(scope, filters) cache rarely helps: this measures the computation.

Run alone: ``python -m scripts.perf.bench.dashboard_callback [--quick]``.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scripts.catalog import REPO_ROOT
from scripts.perf.bench.model import Figure
from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.dashboard_requests import random_update_body
from scripts.perf.loopback import LoopbackClient

APP = "group-dashboard"
ROWS = 1_000_000
CLIENTS = 16
SUBJECT = f"{APP} callback ({ROWS:,} rows)"
BASELINE = "bare Flask: same aggregation and rendering, same gunicorn settings"
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
        process.terminate()
        process.wait(timeout=15)


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


def latency_figures(app_url: str, base_url: str, batches: int, per_batch: int) -> list[Figure]:
    app, base = LoopbackClient(app_url), LoopbackClient(base_url)
    rng = random.Random(1)
    for _ in range(20):  # warm both up (imports, first-request setup)
        body = random_update_body(rng)
        _post(app, UPDATE_PATH, body)
        _post(base, "aggregate", body)
    p50 = Figure("callback latency p50 (1 client)", SUBJECT, BASELINE, "ms")
    p95 = Figure("callback latency p95 (1 client)", SUBJECT, BASELINE, "ms", max_value=50)
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


def throughput_figure(app_url: str, base_url: str, rounds: int, seconds: float) -> Figure:
    figure = Figure(
        f"callback throughput ({CLIENTS} clients)", SUBJECT, BASELINE, "req/s", min_ratio=0.8
    )
    for round_ in range(rounds):
        figure.subject_samples.append(throughput(app_url, UPDATE_PATH, seconds, round_))
        figure.baseline_samples.append(throughput(base_url, "aggregate", seconds, round_))
    figure.note = f"{rounds} rounds of {seconds:.0f} s each, A then B"
    return figure


def measure(quick: bool = False) -> list[Figure]:
    from scripts.local.serve import serve  # the runner, as `make run` starts apps

    env = {**os.environ, "DASHBOARD_ROWS": str(ROWS)}
    env.pop("DASHBOARD_GROUPS", None)
    env.pop("DASHBOARD_SCOPES", None)
    batches, per_batch, rounds, seconds = (3, 40, 2, 3.0) if quick else (8, 100, 4, 8.0)
    with (
        serve(APP, user="bench", groups=["admins"], env={"DASHBOARD_ROWS": str(ROWS)}) as app,
        serve_baseline(env) as base_url,
    ):
        figures = latency_figures(app.url, base_url, batches, per_batch)
        figures.append(throughput_figure(app.url, base_url, rounds, seconds))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure(quick=args.quick)
    if args.json:
        print(json.dumps([f.to_json() for f in figures], indent=2))
        return
    for f in figures:
        verdict = "; ".join(f.misses()) or "target met"
        print(
            f"{f.measure}: {f.subject_median:.1f} {f.unit} vs baseline "
            f"{f.baseline_median:.1f} {f.unit} (ratio {f.ratio:.2f}; "
            f"subject min {min(f.subject_samples):.1f}, max {max(f.subject_samples):.1f}) "
            f"-> {verdict}"
        )


if __name__ == "__main__":
    main()
