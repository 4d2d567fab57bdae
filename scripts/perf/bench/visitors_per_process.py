"""How many visitors one process holds: each app against bare Dash doing the same work.

The load test's capacity (``scripts/loadtest``), measured in the bench's way:
subject and baseline served at once (one process each, the runner's
gunicorn), both ramped together with 1, 2, 4, ... visitors (Locust replaying
a recorded visit, each visitor pausing ``PAUSE_S`` between visits), so both
see the same machine. A round gives each the number of visitors at which its
p95 (page loads or callbacks, whichever is worse) crosses 500 ms, read
between the steps either side (``Capacity.interpolated``); the figure is
their ratio over the rounds, with its interval.

Pairs:
- hello vs ``baselines/capacity-hello`` (bare Dash, the same page and
  callback): at least 0.9x;
- the dashboard at 1M rows, DuckDB and PostgreSQL, vs
  ``baselines/capacity-dashboard`` (bare Dash, the same queries through the
  app's modules): at least 0.8x;
- the dashboard at 10M rows vs at 100k rows (DuckDB), no target.

The subject replays its committed recording; each baseline is recorded here,
in this run, with the subject's declared steps. Ramps take minutes: the
full bench only (``make bench``), skipped by ``QUICK=1``.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from scripts.catalog import AppInfo, SmokeVisitor, find_app
from scripts.loadtest.capacity import Capacity, Limits, Measured, load_step, warm_up
from scripts.loadtest.record import declared_steps, record
from scripts.loadtest.replay import served_target
from scripts.loadtest.session import session_path
from scripts.perf.bench import subjects
from scripts.perf.bench.dashboard_databases import DATA_DIR, shared_with_postgres
from scripts.perf.bench.model import Figure, PartialFailure, Skipped

ORDER = 90  # the longest module: last
ROUNDS = 3
STEP_S = 6.0
PAUSE_S = 2.0
MAX_USERS = 128
LIMITS = Limits()
# the dashboard's bench visitors: every region, as its baseline
ADMINS: list[tuple[str, ...]] = [("admins",)]
MEASURE = f"visitors per process (p95 <= {LIMITS.p95_ms:.0f} ms)"


@dataclass
class Target:
    """One side of a pair: what is served, and the recording replayed on it."""

    label: str
    app: AppInfo
    session: Path | None = None  # None: recorded in this run (a baseline)
    env: dict[str, str] = field(default_factory=dict)
    mix: list[tuple[str, ...]] | None = None


@dataclass
class Pair:
    subject: Target
    baseline: Target
    min_ratio: float | None


def baseline_app(name: str) -> AppInfo:
    return AppInfo(name, subjects.BASELINES_DIR / name)


def dashboard_env(kind: str, rows: int) -> dict[str, str]:
    """The dashboard's settings on ``rows`` rows in ``kind`` (loaded once per bench run)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    env = shared_with_postgres().env(kind, rows)
    return {**env, "DASHBOARD_GROUPS": "admins", "DASHBOARD_SCOPES": "admins=*"}


def pairs() -> Iterator[Pair]:
    """Each pair in turn: a pair's data is loaded just before it is measured."""
    hello, dashboard = find_app("hello"), find_app("group-dashboard")
    yield Pair(
        Target("hello", hello, session_path(hello)),
        Target("bare Dash, same page and callback", baseline_app("capacity-hello")),
        0.9,
    )
    for kind in ("duckdb", "postgresql"):
        env = dashboard_env(kind, 1_000_000)
        subject = Target(f"group-dashboard, {kind}, 1M rows", dashboard, None, env, ADMINS)
        yield Pair(
            replace(subject, session=session_path(dashboard)),
            Target(f"bare Dash, same queries, {kind}", baseline_app("capacity-dashboard"), env=env),
            0.8,
        )
    large = Target("group-dashboard, duckdb, 10M rows", dashboard, session_path(dashboard))
    yield Pair(
        replace(large, env=dashboard_env("duckdb", 10_000_000), mix=ADMINS),
        replace(
            large, label="the same at 100k rows", env=dashboard_env("duckdb", 100_000), mix=ADMINS
        ),
        None,
    )


def recorded(target: Target, steps_of: AppInfo, folder: Path) -> Path:
    """The target's recording: its committed one, or one made now with ``steps_of``'s steps."""
    if target.session is not None:
        return target.session
    session = record(target.app, SmokeVisitor(), steps=declared_steps(steps_of), env=target.env)
    path = folder / f"{target.app.name}.json"
    session.save(path)
    return path


def ramp_together(sides: list[tuple[str, Path, list[str]]]) -> list[Capacity]:
    """Ramp every side at once, step by step, until each is past the limits."""
    results = [Capacity(str(session), LIMITS, PAUSE_S) for _, session, _ in sides]
    users = 1
    while users <= MAX_USERS and not all(any(s.past for s in r.steps) for r in results):
        measured: list[Measured | None] = [None] * len(sides)

        def run(index: int, at: int = users, into: list[Measured | None] = measured) -> None:
            url, session, keys = sides[index]
            into[index] = load_step(url, session, keys, at, STEP_S, PAUSE_S, LIMITS)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sides))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result, step in zip(results, measured, strict=True):
            if step is None:
                raise RuntimeError(f"a load step at {users} visitors did not finish")
            result.steps.append(step)
        users *= 2
    return results


def measure_pair(pair: Pair, rounds: int) -> Figure:
    subject_counts: list[float] = []
    baseline_counts: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-visitors-") as tmp, ExitStack() as stack:
        sides = []
        for target in (pair.subject, pair.baseline):
            session = recorded(target, pair.subject.app, Path(tmp))
            url, keys = stack.enter_context(
                served_target(target.app, MAX_USERS, env=target.env, mix=target.mix)
            )
            warm_up(url, session, keys)
            sides.append((url, session, keys))
        for _ in range(rounds):
            subject, baseline = ramp_together(sides)
            subject_counts.append(round(subject.interpolated(), 2))
            baseline_counts.append(round(baseline.interpolated(), 2))
    return Figure(
        MEASURE,
        pair.subject.label,
        pair.baseline.label,
        "visitors",
        subject_counts,
        baseline_counts,
        min_ratio=pair.min_ratio,
        paired=True,  # each round ramped both at once
        note=f"{rounds} rounds; steps of {STEP_S:g} s, {PAUSE_S:g} s between visits",
    )


def measure(quick: bool = False) -> list[Figure]:
    if quick:
        raise Skipped("ramps take minutes: runs in the full bench only")
    figures, errors = [], []
    for pair in pairs():
        try:
            figures.append(measure_pair(pair, ROUNDS))
        except Exception as error:  # one pair's failure is reported, the others still run
            errors.append(f"{pair.subject.label}: {error!r}")
    if errors:
        raise PartialFailure(figures, errors)
    return figures
