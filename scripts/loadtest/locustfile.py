"""The simulated visitor Locust runs: it replays a recorded session, checking every answer.

Run by ``scripts.loadtest.replay`` in Locust's own processes (never imported
by the tooling or the tests: Locust patches the standard library with gevent).
Its settings come from the environment (the same for a master and its
workers): the recording, the visitors' API keys, the think-time scale, the
visits per visitor and the request cap.

Each visitor takes one key (its identity on the target: the runner's
``--visitor-keys``, the stand-in's or Connect's API keys) and plays the
session ``LOADTEST_VISITS`` times, pausing as recorded (times
``LOADTEST_THINK_SCALE``) and ``LOADTEST_PAUSE_S`` between visits. An answer
fails on a status other than the recorded one or when its JSON lacks a key,
component id or component type the recorded answer had: a 200 that carries an
error in place of a chart is a failure. The main process (local or master)
stops the run at the request cap and writes the summary the tooling reads.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, constant, events, task
from locust.clients import LocustHttpAdapter
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import WorkerRunner
from locust.stats import StatsEntry
from urllib3.util.retry import Retry

from scripts.loadtest.session import Session, Step, missing_from, placed

SESSION = Session.load(Path(os.environ["LOADTEST_SESSION"]))
KEYS: list[str] = json.loads(os.environ.get("LOADTEST_KEYS", "[]"))
THINK_SCALE = float(os.environ.get("LOADTEST_THINK_SCALE", "1"))
PAUSE_S = float(os.environ.get("LOADTEST_PAUSE_S", "1"))
VISITS = int(os.environ.get("LOADTEST_VISITS", "1"))
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "100000"))
SUMMARY = os.environ.get("LOADTEST_SUMMARY", "")
# As a browser does: a request sent on a kept-alive connection that the server
# closed at that moment (its keep-alive timeout) is sent once more on a new one.
# Any other error, and every status, counts as it comes.
STALE_CONNECTION_RETRY = Retry(
    total=1, connect=1, read=1, status=0, other=0, redirect=0, allowed_methods=None
)
WORKERS = max(1, int(os.environ.get("LOADTEST_WORKERS", "1")))
PERCENTILES = (0.5, 0.95, 0.99)
_numbers = itertools.count()


def problem_with(step: Step, status: int, text: str) -> str | None:
    """Why an answer does not hold what the recorded one did (None: it does)."""
    if status != step.status:
        return f"HTTP {status}, recorded {step.status}: {text[:200]!r}"
    if not step.shape:
        return None
    try:
        payload: Any = json.loads(text)
    except ValueError:
        return f"not JSON, recorded JSON: {text[:200]!r}"
    missing = missing_from(step.shape, step.route, payload)
    if missing:
        return f"answer lacks {missing[:5]} (recorded); got {text[:200]!r}"
    return None


class Visitor(HttpUser):
    wait_time = constant(0)  # think times come from the recording

    def on_start(self) -> None:
        adapter = LocustHttpAdapter(pool_manager=None, max_retries=STALE_CONNECTION_RETRY)
        self.client.mount("http://", adapter)
        self.client.mount("https://", adapter)
        target = urlsplit(str(self.host))
        self.bodies = [
            placed(step.body, f"{target.scheme}://{target.netloc}", target.path)
            for step in SESSION.steps
        ]
        runner = self.environment.runner
        # a number of its own across workers: worker i takes i, i + WORKERS, ...
        index = getattr(runner, "worker_index", 0) + next(_numbers) * WORKERS
        if KEYS:
            self.client.headers["Authorization"] = f"Key {KEYS[index % len(KEYS)]}"
        self.visits = 0

    @task
    def visit(self) -> None:
        if self.visits >= VISITS:
            raise StopUser()
        self.visits += 1
        for step, body in zip(SESSION.steps, self.bodies, strict=True):
            gevent.sleep(step.think_s * THINK_SCALE)
            with self.client.request(
                step.method,
                step.path,
                json=body,
                name=step.name,
                catch_response=True,
                allow_redirects=False,
            ) as response:
                problem = (
                    problem_with(step, response.status_code, response.text or "")
                    if response.status_code
                    else f"no answer: {response.error!r}"  # refused, reset, timed out
                )
                if problem:
                    response.failure(problem)
                else:
                    response.success()
        gevent.sleep(PAUSE_S)


def _kind(name: str) -> str:
    return "callback" if name.startswith("callback ") else "page"


def summary(environment: Environment) -> dict[str, Any]:
    """Counts and latency percentiles (ms) per kind of request, and the failures."""
    stats = environment.stats
    merged: dict[str, StatsEntry] = {}
    for entry in stats.entries.values():
        kind = _kind(entry.name)
        if kind not in merged:
            merged[kind] = StatsEntry(stats, kind, "", use_response_times_cache=False)
        merged[kind].extend(entry)
    total = stats.total
    seconds = (
        max((total.last_request_timestamp or 0.0) - total.start_time, 1e-9)
        if total.num_requests
        else 0
    )
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "seconds": seconds,
        "per_kind": {
            kind: {
                "requests": e.num_requests,
                "failures": e.num_failures,
                **{f"p{round(p * 100)}": e.get_response_time_percentile(p) for p in PERCENTILES},
            }
            for kind, e in sorted(merged.items())
        },
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ][:20],
    }


def _stop_at_cap(environment: Environment) -> None:
    """Quit once the cap is reached: every visit played, or the request limit hit."""
    runner = environment.runner
    assert runner is not None
    while True:
        gevent.sleep(0.2)
        if runner.stats.total.num_requests >= MAX_REQUESTS:
            runner.quit()
            return


def _on_init(environment: Environment, **_: Any) -> None:
    if not isinstance(environment.runner, WorkerRunner):
        gevent.spawn(_stop_at_cap, environment)


def _on_quitting(environment: Environment, **_: Any) -> None:
    if SUMMARY and not isinstance(environment.runner, WorkerRunner):
        Path(SUMMARY).write_text(json.dumps(summary(environment), indent=1))


events.init.add_listener(_on_init)
events.quitting.add_listener(_on_quitting)
