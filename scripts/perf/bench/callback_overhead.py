"""What every callback request pays above its own work: a Dash app on connectkit vs bare Flask.

Subject: one callback on a connectkit app with a group gate (the visitor is
in the group), so each request goes through everything an app's callbacks
go through: the gate and the credentials header, Dash's dispatch and
validation, serialisation, compression settings. Baseline: a bare Flask
endpoint doing the same work (``scripts/perf/callback_work.py``: filter and
aggregate 20,000 rows, answer a summary and a small table) and answering
the same JSON with the encoder Dash uses. Both are served by the same
runner (gunicorn, one worker, eight threads), interleaved A B per round.

Figures: throughput with 16 clients (target: at least 0.9x the baseline),
the p95 latency in those rounds (at most 1.1x), and the median latency of
one client alone, whose difference is the per-request cost in ms.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from scripts.perf.bench import launch, subjects
from scripts.perf.bench.model import Figure
from scripts.perf.bench.schedule import interleaved, rounds_for
from scripts.perf.callback_work import REGIONS, request_body
from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.loopback import LoopbackClient

ORDER = 30
CLIENTS = 16
MIN_THROUGHPUT_RATIO = 0.9
MAX_P95_RATIO = 1.1
SUBJECT = "callback-connectkit"
BASELINE = "callback-flask"
BASELINE_LABEL = "bare Flask, same work and runner"
CHOICES = (*REGIONS, None)  # what the visitor picks, in turn
SINGLE_CLIENT_REQUESTS = 60


@dataclass
class Run:
    """Latencies (ms) of every request in a timed run, and how long it took."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


def post_update(client: LoopbackClient, turn: int) -> float:
    """One callback request (the region of this turn); its latency in ms."""
    status, seconds, payload = client.request("POST", UPDATE_PATH, request_body(CHOICES[turn % 4]))
    if status != 200:
        raise RuntimeError(f"POST {UPDATE_PATH} answered {status}: {payload[:200]!r}")
    return seconds * 1000


def timed_run(url: str, clients: int, seconds: float) -> Run:
    """``clients`` threads, each on its own connection, posting until the time is up."""
    per_client: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = LoopbackClient(url)
        try:
            while time.monotonic() < stop and not failures:
                per_client[index].append(post_update(connection, index + len(per_client[index])))
        except Exception as error:  # reported, not hidden
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"callback run failed: {failures[0]}")
    return Run([ms for done in per_client for ms in done], time.monotonic() - started)


def single_client_median(url: str) -> float:
    client = LoopbackClient(url)
    try:
        return statistics.median(post_update(client, i) for i in range(SINGLE_CLIENT_REQUESTS))
    finally:
        client.close()


def served(name: str) -> subjects.Subject:
    # The runner sends this visitor; the subject's gate admits the group "bench".
    return subjects.Subject(
        name=name, path=subjects.BASELINES_DIR / name, user="bench", groups=("bench",)
    )


def figures_from(runs: dict[str, list[Run]], single: dict[str, list[float]]) -> list[Figure]:
    subject, base = runs[SUBJECT], runs[BASELINE]
    label = f"callback, {CLIENTS} clients"
    note = f"{len(subject)} rounds of {subject[0].seconds:.0f} s; one sample = one round"
    return [
        Figure(
            f"callback throughput ({CLIENTS} clients)",
            "connectkit + Dash",
            BASELINE_LABEL,
            "req/s",
            [r.per_second for r in subject],
            [r.per_second for r in base],
            min_ratio=MIN_THROUGHPUT_RATIO,
            note=note,
        ),
        Figure(
            f"callback latency p95 ({CLIENTS} clients)",
            "connectkit + Dash",
            BASELINE_LABEL,
            "ms",
            [r.percentile(95) for r in subject],
            [r.percentile(95) for r in base],
            max_ratio=MAX_P95_RATIO,
            note=note,
        ),
        Figure(
            "callback latency p50 (1 client)",
            "connectkit + Dash",
            BASELINE_LABEL,
            "ms",
            single[SUBJECT],
            single[BASELINE],
            note=f"{label}: median of {SINGLE_CLIENT_REQUESTS} requests per sample",
        ),
    ]


def measure(quick: bool = False) -> list[Figure]:
    seconds = 3.0 if quick else 6.0
    runs: dict[str, list[Run]] = {SUBJECT: [], BASELINE: []}
    single: dict[str, list[float]] = {SUBJECT: [], BASELINE: []}
    with launch.running(served(BASELINE)) as base, launch.running(served(SUBJECT)) as subject:
        urls = {BASELINE: base.url, SUBJECT: subject.url}

        def probe(name: str) -> float:
            run = timed_run(urls[name], CLIENTS, seconds)
            runs[name].append(run)
            single[name].append(single_client_median(urls[name]))
            return run.per_second

        samples = interleaved({name: lambda n=name: probe(n) for name in urls}, rounds_for(quick))
    if samples.errors:
        raise RuntimeError("; ".join(f"{k}: {v}" for k, v in samples.errors.items()))
    kept = len(samples.values[SUBJECT])  # drop the warm-up round
    return figures_from(
        {n: r[-kept:] for n, r in runs.items()}, {n: s[-kept:] for n, s in single.items()}
    )
