"""First-load bytes on the wire in headless Chromium, and how they are served.

Every app and its baseline are served at once: bare Dash with Dash's own
compression (the floor), or for an app built on dash-bootstrap-components
(``first_load_baseline = "bare-dbc"`` in its bench table) Dash + dbc,
compressed, or for one that draws charts too (``"bare-dbc-graph"``) Dash +
dbc + one ``dcc.Graph``: bare Dash with the same component libraries.
Each round loads each page with the browser cache disabled and counts
every response until the page is ready (``page_load.py``: Dash idle, graphs
drawn, nothing in flight), compressed as served. Two more figures per
app, targets of zero: compressible responses sent without compression, and
requests to any other host (a CDN).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from selenium.webdriver import Chrome

from scripts.perf.bench import launch, page_load, subjects, wire
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import interleaved, rounds_for

ORDER = 20


@dataclass
class Load:
    """What the loads of one subject showed, round after round."""

    kib: list[float] = field(default_factory=list)
    uncompressed: list[list[str]] = field(default_factory=list)
    foreign: list[list[str]] = field(default_factory=list)


def load_once(driver: Chrome, app: launch.Running, load: Load) -> float:
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    journal = page_load.load(driver, app.url)
    requests = list(journal.requests.values())
    if problems := journal.failed_requests():
        raise RuntimeError(f"{app.subject.name}: failed requests: {problems}")
    load.uncompressed.append(wire.uncompressed(requests))
    load.foreign.append(journal.foreign_requests(app.origin))
    load.kib.append(wire.total_kib(requests))
    return load.kib[-1]


BASELINE_LABELS = {
    subjects.BARE_DASH_COMPRESSED: "bare Dash, compressed",
    subjects.BARE_DBC: "bare Dash + dbc, compressed",
    subjects.BARE_DBC_GRAPH: "bare Dash + dbc + one dcc.Graph, compressed",
}


def baselines_for(apps: list[subjects.Subject]) -> dict[str, subjects.Subject]:
    """The baseline subjects the apps are measured against, by baseline name."""
    return {name: subjects.baseline(name) for name in sorted({a.first_load_baseline for a in apps})}


def measure(quick: bool = False) -> list[Figure]:
    apps = subjects.apps()
    bases = baselines_for(apps)
    loads = {s.name: Load() for s in [*bases.values(), *apps]}
    with ExitStack() as stack:
        running, errors = launch.running_all(stack, [*bases.values(), *apps])
        if missing := [b.name for b in bases.values() if b.name not in running]:
            raise RuntimeError(f"baseline(s) {missing} did not start: {errors}")
        driver = page_load.browser(stack, cache=False)
        probes = {
            name: lambda app=app: load_once(driver, app, loads[app.subject.name])
            for name, app in running.items()
        }
        samples = interleaved(probes, runs=rounds_for(quick))
    errors += [f"{name}: {error}" for name, error in samples.errors.items()]
    if failed := [b.name for b in bases.values() if b.name in samples.errors]:
        raise RuntimeError(f"baseline(s) {failed} did not load: {errors}")
    figures = []
    for app in apps:
        if app.name not in running or app.name in samples.errors:
            continue
        load = loads[app.name]
        figures.append(
            Figure(
                measure="first-load bytes",
                subject=app.name,
                baseline=BASELINE_LABELS[app.first_load_baseline],
                unit="KiB",
                subject_samples=samples.values[app.name],
                baseline_samples=samples.values[bases[app.first_load_baseline].name],
                max_ratio=app.max_first_load_ratio(),
            )
        )
        for label, found in (
            ("uncompressed responses", load.uncompressed),
            ("requests to other hosts", load.foreign),
        ):
            figures.append(
                Figure(
                    measure=label,
                    subject=app.name,
                    baseline="",
                    unit="requests",
                    subject_samples=[
                        float(len(urls)) for urls in found[-len(samples.values[app.name]) :]
                    ],
                    max_value=0,
                    note=wire.short(url for urls in found for url in urls),
                )
            )
    if errors:
        raise PartialFailure(figures, errors)
    return figures
