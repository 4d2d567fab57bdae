"""Cold start: process start to the first 200 on the index, through the runner.

Baseline: a bare Dash app (one html.Div) through the same runner, so the
interpreter, gunicorn and Dash itself cancel out and the ratio shows what the
shared package and the app add (pandas or plotly imported for nothing would).
"""

from __future__ import annotations

from scripts.bench import launch, subjects
from scripts.bench.model import Figure, PartialFailure
from scripts.bench.schedule import interleaved, rounds_for

ORDER = 10
MS = 1000.0


def measure(quick: bool = False) -> list[Figure]:
    base = subjects.baseline(subjects.BARE_DASH)
    apps = subjects.apps()
    probes = {base.name: lambda: launch.cold_start_s(base)}
    for app in apps:
        probes[app.name] = lambda app=app: launch.cold_start_s(app)
    samples = interleaved(probes, runs=rounds_for(quick))
    if base.name in samples.errors:
        raise RuntimeError(f"the baseline did not start: {samples.errors[base.name]}")
    base_ms = [s * MS for s in samples.values[base.name]]
    figures = [
        Figure(
            measure="cold start",
            subject=app.name,
            baseline="bare Dash, same runner",
            unit="ms",
            subject_samples=[s * MS for s in samples.values[app.name]],
            baseline_samples=base_ms,
            max_ratio=app.target("max_cold_start_ratio", subjects.DEFAULT_MAX_COLD_START_RATIO),
        )
        for app in apps
        if app.name not in samples.errors
    ]
    errors = [f"{name}: {error}" for name, error in samples.errors.items()]
    if errors:
        raise PartialFailure(figures, errors)
    return figures
