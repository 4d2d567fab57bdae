"""What a background job costs on top of its work: the report builder's forecast
through each job manager, against the same computation called directly.

Subject: one report (EMEA, two product lines, 5,000 paths, paced to 4 s)
started and polled over HTTP exactly as an open page does it
(``scripts/perf/job_client.py``: the first POST, then one poll every 500 ms,
the app's interval), on the embedded manager (``DiskcacheManager``, a child
process per job) and on Celery (Redis and a worker beside the web process,
as ``make run REDIS_URL=...``). Baseline: ``run_forecast`` with the same
request and pace, called in this process: no HTTP, no manager, no polling.
Samples are interleaved (direct, embedded, Celery, per round).

Figures: time to result for each manager against the direct call (target: at
most 1.25x: the poll interval alone may add up to 0.5 s to a 4 s job), and the
polling cost of one open page while its job runs: requests per second and
bytes per second (both directions, HTTP bodies and query strings; headers
excluded), with no baseline (no target: what a deploy must budget for).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from scripts.catalog import find_app
from scripts.perf.bench.model import Figure
from scripts.perf.bench.schedule import rounds_for
from scripts.perf.dash_requests import callback_body
from scripts.perf.job_client import JobRun, PageSession, state
from scripts.runner.redis_server import running_redis
from scripts.runner.serve import ServedApp, serve

ORDER = 60
APP = "report-builder"
PATHS = 5_000  # a quarter of the largest report
JOB_SECONDS = "16"  # the largest report; this one is then paced to 4 s
PACE_S = 4.0
POLL_S = 0.5  # the app's POLL_MS
MAX_RATIO = 1.25
QUICK_ROUNDS, FULL_ROUNDS = 2, 5
VISITOR = ("bench-emea", ("sales-emea",))
MANAGERS = {"embedded": "DiskcacheManager", "celery": "Celery + Redis"}
BASELINE = "the same forecast called directly (no HTTP, no manager)"
REQUEST = (["EMEA"], ["Hardware", "Software"], 6, PATHS)


def report_body() -> dict[str, Any]:
    regions, lines, horizon, paths = REQUEST
    return callback_body(
        [("outcome", "data")],
        [("start", "n_clicks", 1)],
        [
            state("regions", "value", regions),
            state("lines", "value", lines),
            state("horizon", "value", horizon),
            state("paths", "value", paths),
        ],
    )


def direct_seconds() -> float:
    """The baseline: the app's own forecast, imported as the app imports it."""
    sys.path.insert(0, str(find_app(APP).path))
    try:
        from reports.forecast import ReportRequest, run_forecast  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    regions, lines, horizon, paths = REQUEST
    request = ReportRequest.checked(regions, lines, horizon, paths, allowed_regions=["EMEA"])
    started = time.perf_counter()
    run_forecast(request, pace_s=PACE_S)
    return time.perf_counter() - started


@contextmanager
def served_sites(folder: Path) -> Iterator[dict[str, ServedApp]]:
    user, groups = VISITOR
    env = {"REPORT_JOB_SECONDS": JOB_SECONDS, "PYTHONDONTWRITEBYTECODE": ""}
    with ExitStack() as stack:
        redis = stack.enter_context(running_redis())
        sites = {
            "embedded": {**env, "REPORT_CACHE_DIR": str(folder / "cache")},
            "celery": {**env, "REDIS_URL": redis.url()},
        }
        yield {
            name: stack.enter_context(
                serve(APP, user=user, groups=groups, env=site_env, log_dir=folder / name)
            )
            for name, site_env in sites.items()
        }


def polling_cost(run: JobRun) -> tuple[float, float]:
    """(requests/s, bytes/s) of the polls, from the first poll to the answer."""
    polls = run.exchanges[1:]
    seconds = max(run.seconds, 1e-9)
    return len(polls) / seconds, sum(e.sent + e.received for e in polls) / seconds


def measure(quick: bool = False) -> list[Figure]:
    direct: list[float] = []
    took: dict[str, list[float]] = {name: [] for name in MANAGERS}
    cost: dict[str, list[tuple[float, float]]] = {name: [] for name in MANAGERS}
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp, served_sites(Path(tmp)) as sites:
        for round_ in range(1 + rounds_for(quick, FULL_ROUNDS, QUICK_ROUNDS)):
            runs = {
                name: PageSession(app.url).run(report_body(), POLL_S) for name, app in sites.items()
            }
            baseline = direct_seconds()
            if round_ == 0:
                continue  # warm-up: imports, the worker's first task, Dash's first layout
            direct.append(baseline)
            for name, run in runs.items():
                if run.response is None or run.response["outcome"]["data"]["status"] != "done":
                    raise RuntimeError(f"{name}: the job did not finish: {run.response}")
                took[name].append(run.seconds)
                cost[name].append(polling_cost(run))
    return figures_from(direct, took, cost)


def figures_from(
    direct: list[float], took: dict[str, list[float]], cost: dict[str, list[tuple[float, float]]]
) -> list[Figure]:
    figures = []
    for name, label in MANAGERS.items():
        figures.append(
            Figure(
                "job time to result (4 s of work)", f"{APP} on {label}", BASELINE, "s",
                subject_samples=took[name], baseline_samples=direct, max_ratio=MAX_RATIO,
                note=f"one poll every {POLL_S:g} s, as the page does",
            )
        )  # fmt: skip
        rates = [r for r, _ in cost[name]]
        volumes = [b for _, b in cost[name]]
        per_poll = statistics.median(volumes) / statistics.median(rates)
        figures.append(
            Figure("polling per open page", f"{APP} on {label}", "", "req/s",
                   subject_samples=rates, note="while its job runs")
        )  # fmt: skip
        figures.append(
            Figure("polling bytes per open page", f"{APP} on {label}", "", "B/s",
                   subject_samples=volumes, note=f"{per_poll:.0f} B a poll, headers excluded")
        )  # fmt: skip
    return figures
