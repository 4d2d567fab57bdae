"""Repeat visits: what a second load of each app's page transfers, against the first.

A visitor who comes back should fetch the page and its data, not the
scripts and styles again: Dash's component suites and connectkit's CSS
carry a content hash in their URLs and a year-long cache. Each round
clears the browser's cache, loads the page (the first visit), leaves it
for ``about:blank`` and loads it again with the cache on (the repeat
visit). Target: the repeat transfers at most 5% of the first; the note
says what it still transfers.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from selenium.webdriver import Chrome

from scripts.browser.driver import Request
from scripts.perf.bench import launch, page_load, subjects, wire
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import interleaved, rounds_for

ORDER = 25
MAX_REPEAT_SHARE = 0.05


@dataclass
class Visits:
    """First-visit KiB per round, and the requests of each repeat visit."""

    first_kib: list[float] = field(default_factory=list)
    repeats: list[list[Request]] = field(default_factory=list)


def checked_load(driver: Chrome, app: launch.Running) -> list[Request]:
    journal = page_load.load(driver, app.url)
    if problems := journal.failed_requests():
        raise RuntimeError(f"{app.subject.name}: failed requests: {problems}")
    return list(journal.requests.values())


def visit_twice(driver: Chrome, app: launch.Running, visits: Visits) -> float:
    """One round: a first visit on an empty cache, then a repeat; returns the repeat's KiB."""
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    visits.first_kib.append(wire.total_kib(checked_load(driver, app)))
    driver.get("about:blank")
    visits.repeats.append(checked_load(driver, app))
    return wire.total_kib(visits.repeats[-1])


def figure(app: subjects.Subject, repeat_kib: list[float], visits: Visits) -> Figure:
    kept = len(repeat_kib)  # the warm-up round's visits come first
    return Figure(
        measure="repeat-visit bytes",
        subject=app.name,
        baseline="its own first visit, same round",
        unit="KiB",
        subject_samples=repeat_kib,
        baseline_samples=visits.first_kib[-kept:],
        max_ratio=MAX_REPEAT_SHARE,
        note="still sent: " + wire.breakdown(visits.repeats[-1]),
    )


def measure(quick: bool = False) -> list[Figure]:
    apps = subjects.apps()
    visits = {a.name: Visits() for a in apps}
    with ExitStack() as stack:
        running, errors = launch.running_all(stack, apps)
        driver = page_load.browser(stack, cache=True)
        probes = {
            name: lambda app=app: visit_twice(driver, app, visits[app.subject.name])
            for name, app in running.items()
        }
        samples = interleaved(probes, runs=rounds_for(quick))
    errors += [f"{name}: {error}" for name, error in samples.errors.items()]
    figures = [
        figure(app, samples.values[app.name], visits[app.name])
        for app in apps
        if app.name in running and samples.values.get(app.name)
    ]
    if errors:
        raise PartialFailure(figures, errors)
    return figures
