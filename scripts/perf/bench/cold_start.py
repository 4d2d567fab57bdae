"""Cold start: process start to the first 200 on the index, through the runner.

Baseline: a bare Dash app (one html.Div) through the same runner, so the
interpreter, gunicorn and Dash itself cancel out and the ratio shows what the
shared package and the app add (pandas or plotly imported for nothing would).
A second figure, the CPU time the processes used until then, has no target:
it moves far less than wall time when other jobs share the machine, so it
tells a real regression from a busy machine.
"""

from __future__ import annotations

from scripts.perf.bench import launch, subjects
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import interleaved, rounds_for

ORDER = 10
MS = 1000.0
FULL_RUNS = 7  # starts are the noisiest figure here


def measure(quick: bool = False) -> list[Figure]:
    base = subjects.baseline(subjects.BARE_DASH)
    apps = subjects.apps()
    cpu: dict[str, list[float]] = {s.name: [] for s in [base, *apps]}

    def probe(subject: subjects.Subject) -> float:
        wall, cpu_s = launch.cold_start(subject)
        cpu[subject.name].append(cpu_s * MS)
        return wall * MS

    probes = {s.name: lambda s=s: probe(s) for s in [base, *apps]}
    samples = interleaved(probes, runs=rounds_for(quick, FULL_RUNS))
    if base.name in samples.errors:
        raise RuntimeError(f"the baseline did not start: {samples.errors[base.name]}")
    figures = []
    for app in apps:
        if app.name in samples.errors:
            continue
        kept = len(samples.values[app.name])  # the warm-up sample is the first one
        figures += [
            Figure(
                measure="cold start",
                subject=app.name,
                baseline="bare Dash, same runner",
                unit="ms",
                subject_samples=samples.values[app.name],
                baseline_samples=samples.values[base.name],
                max_ratio=app.target("max_cold_start_ratio", subjects.DEFAULT_MAX_COLD_START_RATIO),
            ),
            Figure(
                measure="cold start CPU",
                subject=app.name,
                baseline="bare Dash, same runner",
                unit="ms",
                subject_samples=cpu[app.name][-kept:],
                baseline_samples=cpu[base.name][-len(samples.values[base.name]) :],
                note="master + worker CPU time until the first 200",
            ),
        ]
    errors = [f"{name}: {error}" for name, error in samples.errors.items()]
    if errors:
        raise PartialFailure(figures, errors)
    return figures
