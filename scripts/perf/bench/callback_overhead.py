"""What every callback request pays above its own work: a Dash app on connectkit vs bare Flask.

Subject: one callback on a connectkit app with a group gate (the visitor is
in the group), so each request goes through everything an app's callbacks
go through: the gate and the credentials header, Dash's dispatch and
validation, serialisation, compression settings. Baseline: a bare Flask
endpoint doing the same work (``scripts/perf/callback_work.py``: filter and
aggregate 50,000 rows, answer a summary and a small table) and answering
the same JSON with the encoder Dash uses. Both are served by the same
runner (gunicorn, one worker, eight threads) and driven at the same time.

Figures: throughput with 16 clients (target: at least 0.9x the baseline),
the p95 latency in those rounds (at most 1.1x), the median latency of one
client alone (the difference is the per-request cost in ms) and the
server's CPU time per request. Both servers are driven at once in each
round: on a shared machine the load changes within seconds, so two servers
measured one after the other would not see the same machine; at once, they
share it alike (the CPU is split between them as the scheduler shares it
between any two processes). The CPU figure has no target:
it moves far less than wall time when other jobs share the machine, so it
tells a real regression from a busy machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from scripts.perf.bench import launch, proctree, subjects
from scripts.perf.bench.model import Figure
from scripts.perf.bench.schedule import WARMUP_ROUNDS, in_parallel, rounds_for
from scripts.perf.callback_work import REGIONS, request_body
from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.loopback import LoopbackClient

ORDER = 30
CLIENTS = 16
MIN_THROUGHPUT_RATIO = 0.9
MAX_P95_RATIO = 1.1
SUBJECT = "callback-connectkit"
SUBJECT_LABEL = "connectkit + Dash"
BASELINE = "callback-flask"
BASELINE_LABEL = "bare Flask, same work and runner"
CHOICES = (*REGIONS, None)  # what the visitor picks, in turn
SINGLE_CLIENT_REQUESTS = 40
QUICK_ROUNDS, FULL_ROUNDS = 5, 9  # after one warm-up round each
QUICK_SECONDS, FULL_SECONDS = 2.0, 4.0  # per round
MS = 1000.0


@dataclass
class LoadRound:
    """Latencies (ms) of every request in a timed run, how long it took, server CPU used."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_s * MS / len(self.latencies)

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


def timed_runs(urls: dict[str, str], clients: int, seconds: float) -> dict[str, LoadRound]:
    """``clients`` threads per server, each on its own connection, all posting until time is up.

    Every server is driven at once, so each sees the same machine: on a
    shared machine the load changes within seconds, and two servers measured
    one after the other would each see another machine.
    """
    per_client: dict[str, list[list[float]]] = {n: [[] for _ in range(clients)] for n in urls}
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def client(name: str, index: int) -> None:
        done: list[float] = per_client[name][index]
        connection = LoopbackClient(urls[name])
        try:
            while time.monotonic() < stop and not failures:
                done.append(post_update(connection, index + len(done)))
        except Exception as error:  # reported, not hidden
            failures.append(f"{name}: {error!r}")
        finally:
            connection.close()

    elapsed = in_parallel([partial(client, name, i) for i in range(clients) for name in urls])
    if failures:
        raise RuntimeError(f"callback run failed: {failures[0]}")
    return {
        name: LoadRound([ms for done in lists for ms in done], elapsed)
        for name, lists in per_client.items()
    }


def single_client_medians(urls: dict[str, str]) -> dict[str, float]:
    """The median latency of one client per server, the servers driven at once."""
    medians: dict[str, float] = {}

    def client(name: str) -> None:
        connection = LoopbackClient(urls[name])
        try:
            medians[name] = statistics.median(
                post_update(connection, i) for i in range(SINGLE_CLIENT_REQUESTS)
            )
        finally:
            connection.close()

    in_parallel([partial(client, name) for name in urls])
    if missing := sorted(set(urls) - set(medians)):
        raise RuntimeError(f"single-client run failed for {missing}")
    return medians


def served(name: str) -> subjects.Subject:
    # The runner sends this visitor; the subject's gate admits the group "bench".
    return subjects.Subject(
        name=name, path=subjects.BASELINES_DIR / name, user="bench", groups=("bench",)
    )


def figures_from(runs: dict[str, list[LoadRound]], single: dict[str, list[float]]) -> list[Figure]:
    subject, base = runs[SUBJECT], runs[BASELINE]
    rounds = f"{len(subject)} rounds of {subject[0].seconds:.1f} s; one sample = one round"

    def compare(
        measure: str, unit: str, values: Callable[[LoadRound], float], **extra: Any
    ) -> Figure:
        return Figure(
            f"{measure} ({CLIENTS} clients)",
            SUBJECT_LABEL,
            BASELINE_LABEL,
            unit,
            [values(r) for r in subject],
            [values(r) for r in base],
            paired=True,  # each round drove both servers at once
            **extra,
        )

    return [
        compare(
            "callback throughput",
            "req/s",
            lambda r: r.per_second,
            min_ratio=MIN_THROUGHPUT_RATIO,
            note=rounds,
        ),
        compare(
            "callback latency p95",
            "ms",
            lambda r: r.percentile(95),
            max_ratio=MAX_P95_RATIO,
            note=rounds,
        ),
        Figure(
            "callback latency p50 (1 client)",
            SUBJECT_LABEL,
            BASELINE_LABEL,
            "ms",
            single[SUBJECT],
            single[BASELINE],
            paired=True,
            note=f"median of {SINGLE_CLIENT_REQUESTS} requests per sample",
        ),
        compare(
            "callback server CPU per request",
            "ms",
            lambda r: r.cpu_ms_per_request,
            note="gunicorn master + worker CPU time / requests answered",
        ),
    ]


def measure(quick: bool = False) -> list[Figure]:
    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    runs: dict[str, list[LoadRound]] = {SUBJECT: [], BASELINE: []}
    single: dict[str, list[float]] = {SUBJECT: [], BASELINE: []}
    with launch.running(served(BASELINE)) as base, launch.running(served(SUBJECT)) as subject:
        apps = {BASELINE: base, SUBJECT: subject}
        urls = {name: app.url for name, app in apps.items()}
        for round_ in range(WARMUP_ROUNDS + rounds_for(quick, FULL_ROUNDS, QUICK_ROUNDS)):
            cpu_before = {n: proctree.cpu_seconds(a.served.process.pid) for n, a in apps.items()}
            measured = timed_runs(urls, CLIENTS, seconds)
            medians = single_client_medians(urls)
            if round_ < WARMUP_ROUNDS:
                continue
            for name, app in apps.items():
                run = measured[name]
                # the single-client requests ran after the timed run: count them too
                requests = len(run.latencies) + SINGLE_CLIENT_REQUESTS
                cpu = proctree.cpu_seconds(app.served.process.pid) - cpu_before[name]
                run.server_cpu_s = cpu * len(run.latencies) / requests
                runs[name].append(run)
                single[name].append(medians[name])
    return figures_from(runs, single)
