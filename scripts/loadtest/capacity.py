"""``make capacity APP=name``: how many visitors one server process holds, and Connect's settings.

Serves the app here on ONE process (the runner's gunicorn worker, as one
Connect process), then replays its recording with 1, 2, 4, ... visitors, each
step a bounded Locust run, until the p95 of page loads or of callbacks passes
the target (default 500 ms) or more than 1% of requests fail; a step past
them is measured once more and counts as past only if it is again (a busy
machine's spike is not the process's limit). The visitors one process holds
is the last step within both; one more step halfway between it and the first
step past them narrows it.

Writes ``apps/<name>/loadtest/capacity.json`` and ``capacity.png`` (latency
and throughput against visitors), prints the Connect process settings derived
from it, updates the README gallery's column, and with ``--write`` puts them
in ``[tool.monorepo.deploy]``:

- ``max_conns_per_process``: the visitors one process holds;
- ``max_processes``: enough processes for the expected peak (``--peak``);
- ``min_processes``: the same, so the peak meets warm processes (no cold start);
- ``load_factor``: the share of a process's capacity at which its p95 was
  still under half the target, so Connect adds a process before the knee.

Loopback only (the app is served here); each visitor pauses ``--pause`` s
between visits, which sets what a "visitor" means: say it with the figure.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scripts.catalog import AppInfo, UnknownAppError, discover_apps, find_app
from scripts.gallery.table import write_readme
from scripts.loadtest.chart import draw_capacity
from scripts.loadtest.deploy_table import DeployTableError, write_process_settings
from scripts.loadtest.replay import Plan, Summary, run_locust, served_target
from scripts.loadtest.session import Session, SessionError, session_path

KINDS = ("page", "callback")


@dataclass(frozen=True)
class Limits:
    """When a step is past what one process holds."""

    p95_ms: float = 500.0
    max_failure_ratio: float = 0.01

    def passed_by(self, summary: Summary) -> list[str]:
        """Why a step is past the limits (empty: within them)."""
        reasons = [
            f"{kind} p95 {summary.p95(kind):.0f} ms > {self.p95_ms:.0f} ms"
            for kind in KINDS
            if summary.p95(kind) > self.p95_ms
        ]
        if summary.failure_ratio > self.max_failure_ratio:
            reasons.append(f"{summary.failure_ratio:.1%} failed > {self.max_failure_ratio:.0%}")
        return reasons


@dataclass(frozen=True)
class Measured:
    """One step of the ramp."""

    users: int
    requests: int
    failures: int
    throughput: float
    p95_ms: dict[str, float]
    past: list[str]


@dataclass
class Capacity:
    app: str
    limits: Limits
    pause_s: float
    steps: list[Measured] = field(default_factory=list)

    @property
    def visitors(self) -> int:
        """The most visitors one process held within the limits (0: not even one)."""
        return max((s.users for s in self.steps if not s.past), default=0)

    @property
    def capped(self) -> bool:
        """No step was past the limits: the ramp stopped at its end, the capacity is a floor."""
        return bool(self.steps) and not any(s.past for s in self.steps)

    def interpolated(self) -> float:
        """Where the p95 curve crosses the limit, read between the steps either side.

        Finer than the steps themselves (1, 2, 4...): what the bench compares.
        A step past the limit by failures, not latency, gives the step before.
        """
        steps = sorted(self.steps, key=lambda s: s.users)
        past = next((s for s in steps if s.past), None)
        if past is None:
            return float(steps[-1].users) if steps else 0.0
        within = [s for s in steps if s.users < past.users and not s.past]
        before_users, before_p95 = (within[-1].users, worst(within[-1])) if within else (0, 0.0)
        after_p95 = worst(past)
        if after_p95 <= self.limits.p95_ms or after_p95 <= before_p95:
            return float(before_users)  # past by failures, or the curve did not rise
        share = (self.limits.p95_ms - before_p95) / (after_p95 - before_p95)
        return before_users + share * (past.users - before_users)

    def settings(self, peak: int) -> dict[str, Any]:
        """Connect's process settings for an expected peak of ``peak`` visitors."""
        held = max(1, self.visitors)
        processes = max(1, math.ceil(peak / held))
        calm = [
            s.users
            for s in self.steps
            if not s.past and all(v <= self.limits.p95_ms / 2 for v in s.p95_ms.values())
        ]
        load_factor = min(1.0, max(0.1, round(max(calm, default=1) / held * 20) / 20))
        return {
            "max_conns_per_process": held,
            "max_processes": processes,
            "min_processes": processes,
            "load_factor": load_factor,
        }

    def to_json(self, peak: int) -> dict[str, Any]:
        return {
            "app": self.app,
            "visitors_per_process": self.visitors,
            "at_least": self.capped,  # the ramp ended (--max-users) before the limits
            "pause_between_visits_s": self.pause_s,
            "limits": asdict(self.limits),
            "peak": peak,
            "connect_settings": self.settings(peak),
            "steps": [asdict(s) for s in self.steps],
        }


def worst(step: Measured) -> float:
    """The step's highest p95 of any kind."""
    return max(step.p95_ms.values(), default=0.0)


def measure(summary: Summary, users: int, limits: Limits) -> Measured:
    return Measured(
        users,
        summary.requests,
        summary.failures,
        round(summary.throughput, 2),
        {kind: summary.p95(kind) for kind in KINDS if kind in summary.per_kind},
        limits.passed_by(summary),
    )


def load_step(
    url: str,
    session_file: Path,
    keys: list[str],
    users: int,
    step_s: float,
    pause_s: float,
    limits: Limits,
) -> Measured:
    """One step of a ramp: ``users`` visitors for ``step_s`` seconds (as many visits as fit)."""
    plan = Plan(users=users, visits=10_000, duration_s=step_s, pause_s=pause_s)
    return measure(run_locust(url, session_file, keys, plan), users, limits)


def warm_up(url: str, session_file: Path, keys: list[str]) -> None:
    """One visit, not counted: the first requests of a process are slower."""
    run_locust(url, session_file, keys, Plan(users=1, visits=1, pause_s=0, duration_s=60))


def ramp(
    app: AppInfo,
    session_file: Path,
    *,
    limits: Limits,
    max_users: int = 256,
    step_s: float = 20.0,
    pause_s: float = 2.0,
    env: dict[str, str] | None = None,
    progress: bool = True,
) -> Capacity:
    """Double the visitors until past the limits, then try halfway between the last two."""
    Session.load(session_file)  # a clear error before the app starts
    result = Capacity(app.name, limits, pause_s)
    with served_target(app, max_users, processes=1, env=env) as (url, keys):

        def step(users: int) -> Measured:
            measured = load_step(url, session_file, keys, users, step_s, pause_s, limits)
            if measured.past:  # a shared machine's spike, or the process's limit? once more
                measured = load_step(url, session_file, keys, users, step_s, pause_s, limits)
            result.steps.append(measured)
            if progress:
                p95 = ", ".join(f"{k} p95 {v:.0f} ms" for k, v in measured.p95_ms.items())
                verdict = "; ".join(measured.past) or "within limits"
                print(f"  {users:4d} visitors: {measured.throughput:6.1f} req/s, {p95}: {verdict}")
            return measured

        warm_up(url, session_file, keys)
        users = 1
        while users <= max_users:
            if step(users).past:
                break
            users *= 2
        held, past = result.visitors, min(users, max_users)
        if held and past - held > 1:
            step((held + past) // 2)
    result.steps.sort(key=lambda s: s.users)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("app")
    parser.add_argument("--target-ms", type=float, default=500.0, help="p95 limit (ms)")
    parser.add_argument("--max-failures", type=float, default=0.01, help="failure ratio limit")
    parser.add_argument("--max-users", type=int, default=256, help="stop the ramp here")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="each step's length")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between visits")
    parser.add_argument("--peak", type=int, default=0, help="expected peak visitors")
    parser.add_argument("--write", action="store_true", help="into [tool.monorepo.deploy]")
    args = parser.parse_args(argv)
    if args.target_ms <= 0 or args.max_users < 1 or args.step_seconds <= 0:
        parser.error("--target-ms, --step-seconds must be > 0 and --max-users >= 1")
    try:
        app = find_app(args.app)
        session_file = session_path(app)
        print(f"{app.name}: ramping visitors on one process (p95 <= {args.target_ms:.0f} ms)")
        limits = Limits(args.target_ms, args.max_failures)
        result = ramp(
            app,
            session_file,
            limits=limits,
            max_users=args.max_users,
            step_s=args.step_seconds,
            pause_s=args.pause,
        )
    except (UnknownAppError, SessionError) as error:
        print(f"error: APP={args.app}: {error}", file=sys.stderr)
        return 2
    peak = args.peak or max(1, result.visitors)
    folder = session_file.parent
    (folder / "capacity.json").write_text(json.dumps(result.to_json(peak), indent=1) + "\n")
    chart = draw_capacity(result.to_json(peak), folder / "capacity.png")
    write_readme(discover_apps())  # the gallery's "one process holds" column
    settings = result.settings(peak)
    floor = "at least " if result.capped else ""
    print(
        f"{app.name}: one process holds {floor}{result.visitors} visitors "
        f"(each pausing {args.pause:g} s between visits); chart: {chart}"
    )
    print(f"Connect settings for a peak of {peak} visitors: {settings}")
    if args.write:
        try:
            write_process_settings(app, settings)
        except DeployTableError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"written into {app.path / 'pyproject.toml'} [tool.monorepo.deploy]")
    return 0 if result.visitors else 1


if __name__ == "__main__":
    raise SystemExit(main())
