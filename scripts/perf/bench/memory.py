"""Memory: peak RSS of each app's processes after the smoke journey.

Each sample is a fresh process (runner = gunicorn master, plus its worker):
start it, open the page in headless Chromium, wait until it is ready
(``page_load.py``), then sum the peak RSS of the process tree. Baseline: bare
Dash, same runner.
"""

from __future__ import annotations

from selenium.webdriver import Chrome

from scripts.browser.driver import make_driver
from scripts.perf.bench import launch, page_load, proctree, subjects
from scripts.perf.bench.model import Figure, PartialFailure
from scripts.perf.bench.schedule import interleaved, rounds_for

ORDER = 40
QUICK_RUNS, FULL_RUNS = 1, 3  # a sample costs a cold start and a page load


def peak_after_journey(driver: Chrome, subject: subjects.Subject) -> float:
    with launch.running(subject) as app:
        if problems := page_load.load(driver, app.url).failed_requests():
            raise RuntimeError(f"failed requests: {problems}")
        return proctree.peak_rss_mb(app.served.process.pid)


def measure(quick: bool = False) -> list[Figure]:
    base = subjects.baseline(subjects.BARE_DASH)
    apps = subjects.apps()
    driver = make_driver()
    try:
        probes = {s.name: lambda s=s: peak_after_journey(driver, s) for s in [base, *apps]}
        samples = interleaved(probes, runs=rounds_for(quick, FULL_RUNS, QUICK_RUNS))
    finally:
        driver.quit()
    if base.name in samples.errors:
        raise RuntimeError(f"the baseline failed: {samples.errors[base.name]}")
    figures = [
        Figure(
            measure="peak RSS after page load",
            subject=app.name,
            baseline="bare Dash, same runner",
            unit="MB",
            subject_samples=samples.values[app.name],
            baseline_samples=samples.values[base.name],
            max_value=app.target("max_rss_mb"),
            note="gunicorn master + worker",
        )
        for app in apps
        if app.name not in samples.errors
    ]
    errors = [f"{name}: {error}" for name, error in samples.errors.items()]
    if errors:
        raise PartialFailure(figures, errors)
    return figures
