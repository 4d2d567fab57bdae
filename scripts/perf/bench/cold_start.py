"""Cold start: process start to the first 200 on the index, through the runner.

Baseline: a bare Dash app (one html.Div) through the same runner, so the
interpreter, gunicorn and Dash itself cancel out and the ratio shows what the
shared package and the app add (pandas or plotly imported for nothing would).

Each app is started at the same moment as its own bare-Dash baseline, and the
ratio is the median of those pairs' ratios: on a shared machine the load
changes from one second to the next, so two starts taken one after the other
see two different machines, while two started together share one alike (the
one needing more CPU finishes later). A second figure, the CPU time the
processes used until then, has no target: it moves far less than wall time
when other jobs share the machine, so it tells a real regression from a busy
machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from scripts.perf.bench import launch, subjects
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import WARMUP_ROUNDS, in_parallel, rounds_for

ORDER = 10
MS = 1000.0
QUICK_RUNS, FULL_RUNS = 3, 9  # starts are the noisiest figure here: pairs vary 2x
BASELINE_LABEL = "bare Dash, same runner, started with it"


@dataclass
class Starts:
    """Wall and CPU ms of an app's starts and of the baseline started with each."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    base_wall: list[float] = field(default_factory=list)
    base_cpu: list[float] = field(default_factory=list)

    def add(self, other: Starts) -> None:
        self.wall += other.wall
        self.cpu += other.cpu
        self.base_wall += other.base_wall
        self.base_cpu += other.base_cpu


def started_together(app: subjects.Subject, base: subjects.Subject) -> tuple[Starts, str]:
    """One start of each at the same moment: (their figures, an error or "")."""
    results: dict[str, tuple[float, float]] = {}
    errors: list[str] = []

    def start(subject: subjects.Subject) -> None:
        try:
            results[subject.name] = launch.cold_start(subject)
        except Exception as error:  # reported with the app's name, never fatal
            errors.append(f"{subject.name}: {type(error).__name__}: {error}")

    in_parallel([partial(start, base), partial(start, app)])
    if errors:
        return Starts(), "; ".join(errors)
    (wall, cpu), (base_wall, base_cpu) = results[app.name], results[base.name]
    return Starts([wall * MS], [cpu * MS], [base_wall * MS], [base_cpu * MS]), ""


def figures_for(app: subjects.Subject, starts: Starts) -> list[Figure]:
    return [
        Figure(
            measure="cold start",
            subject=app.name,
            baseline=BASELINE_LABEL,
            unit="ms",
            subject_samples=starts.wall,
            baseline_samples=starts.base_wall,
            max_ratio=app.target("max_cold_start_ratio", subjects.DEFAULT_MAX_COLD_START_RATIO),
            paired=True,
        ),
        Figure(
            measure="cold start CPU",
            subject=app.name,
            baseline=BASELINE_LABEL,
            unit="ms",
            subject_samples=starts.cpu,
            baseline_samples=starts.base_cpu,
            note="master + worker CPU time until the first 200",
            paired=True,
        ),
    ]


def measure(quick: bool = False) -> list[Figure]:
    base = subjects.baseline(subjects.BARE_DASH)
    apps = subjects.apps()
    kept = {app.name: Starts() for app in apps}
    errors: dict[str, str] = {}
    for round_ in range(WARMUP_ROUNDS + rounds_for(quick, FULL_RUNS, QUICK_RUNS)):
        for app in apps:
            if app.name in errors:
                continue
            starts, error = started_together(app, base)
            if error:
                errors[app.name] = error
            elif round_ >= WARMUP_ROUNDS:  # the first round writes bytecode caches
                kept[app.name].add(starts)
    figures = [
        f for app in apps if app.name not in errors for f in figures_for(app, kept[app.name])
    ]
    if errors:
        raise PartialFailure(figures, list(errors.values()))
    return figures
