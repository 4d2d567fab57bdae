"""The report builder in headless Chromium, on two gunicorn processes and Celery
(the runner starts the worker beside them, as ``make run REDIS_URL=...`` does):
progress moves, cancel stops the worker's task, a report finishes and downloads,
a killed worker is reported lost and the job restarts, five tabs at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.smoke import AppPage
from scripts.runner.redis_server import RedisServer
from scripts.runner.serve import ServedApp, serve
from tests.apps.report_builder.sites import LOST_AFTER_S, celery_processes
from tests.support.redis import active_tasks, celery_worker, fresh_redis_url, wait_for_its_worker

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.redis]
ENV = {"REPORT_JOB_SECONDS": "40", "REPORT_LOST_AFTER_S": LOST_AFTER_S}  # 20,000 paths: 40 s
DEADLINE_S = 60.0  # a failure bound, not a speed target


@pytest.fixture(scope="module")
def redis_url(redis_server: RedisServer) -> str:
    return fresh_redis_url(redis_server)


@pytest.fixture(scope="module")
def served(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    env = {**ENV, "REDIS_URL": redis_url}
    logs = tmp_path_factory.mktemp("report-builder")
    with serve("report-builder", user="erin", groups=["sales-emea"], env=env, log_dir=logs,
               processes=2) as app:  # fmt: skip
        wait_for_its_worker(app)
        yield app


def wait(browser: Any, what: str, condition: Any) -> Any:
    try:
        return WebDriverWait(browser, DEADLINE_S, poll_frequency=0.1).until(condition)
    except Exception as error:
        raise AssertionError(f"waiting for {what}: {error!r}") from None


def choose(browser: Any, component: str, value: object) -> None:
    browser.find_element(By.CSS_SELECTOR, f"#{component} input[value='{value}']").click()


def progress(browser: Any) -> int:
    return int(browser.find_element(By.ID, "progress").get_attribute("value") or 0)


def start(browser: Any, paths: int) -> None:
    choose(browser, "paths", paths)
    wait(browser, "the start button", lambda d: d.find_element(By.ID, "start").is_enabled())
    browser.find_element(By.ID, "start").click()


def test_progress_cancel_finish_and_download(
    browser: Any, served: ServedApp, redis_url: str, tmp_path: Path
) -> None:
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    page = AppPage(browser, served, label="report-builder-jobs").open()
    start(browser, 20_000)
    first = wait(browser, "progress", lambda d: progress(d) or False)
    wait(browser, "progress to advance", lambda d: progress(d) > first)
    assert active_tasks(redis_url), "no task on the worker while the page shows progress"
    browser.find_element(By.ID, "cancel").click()
    wait(browser, "the page to say cancelled", lambda d: d.find_elements(By.ID, "cancelled"))
    wait(browser, "the worker to stop the task", lambda d: not active_tasks(redis_url))

    start(browser, 1_000)
    wait(browser, "the report", lambda d: d.find_elements(By.ID, "done"))
    assert progress(browser) == 40
    browser.find_element(By.ID, "download-button").click()
    files = wait(browser, "the download", lambda d: list(tmp_path.glob("forecast-*.csv")))
    with files[0].open() as report:
        rows = list(csv.DictReader(report))
    assert rows and {row["region"] for row in rows} == {"EMEA"}
    page.check()


def test_a_killed_worker_is_reported_and_the_job_restarts(
    browser: Any, served: ServedApp, redis_url: str, tmp_path: Path
) -> None:
    page = AppPage(browser, served, label="report-builder-lost").open()
    start(browser, 20_000)
    wait(browser, "progress", lambda d: progress(d) >= 2)
    workers = celery_processes(served.process.pid)
    assert workers, "no Celery worker beside the web processes"
    for process in workers:
        process.kill()
    wait(browser, "the page to say the job was lost", lambda d: d.find_elements(By.ID, "lost"))
    assert "Start it again" in page.text("#lost")
    env = {**ENV, "REDIS_URL": redis_url}
    with celery_worker("report-builder", env, tmp_path / "worker.log"):
        start(browser, 1_000)
        wait(browser, "the restarted report", lambda d: d.find_elements(By.ID, "done"))
    page.check()


def test_five_tabs_run_five_jobs_at_once(browser: Any, served: ServedApp, tmp_path: Path) -> None:
    env = {**ENV, "REDIS_URL": served.extra_env["REDIS_URL"]}
    horizons = (3, 6, 12, 3, 6)
    lines = ("Hardware", "Software", "Services", "Support", "Hardware")
    with celery_worker("report-builder", env, tmp_path / "worker.log"):
        tabs = []
        for horizon, line in zip(horizons, lines, strict=True):
            browser.switch_to.new_window("tab")
            AppPage(browser, served, label="report-builder-tabs").open()
            choose(browser, "horizon", horizon)
            for other in ("Hardware", "Software", "Services", "Support"):
                if other != line:
                    choose(browser, "lines", other)  # untick: one line per tab
            tabs.append(browser.current_window_handle)
        # Every tab ready first, then five clicks in a row: on a busy machine opening
        # a tab can take longer than a job, so starting each as it opens would let
        # the first finish before the last began.
        for tab in tabs:
            browser.switch_to.window(tab)
            start(browser, 5_000)
        # All five on the worker at once (its concurrency is 6), none waiting for another.
        wait(browser, "five tasks at once", lambda d: len(active_tasks(env["REDIS_URL"])) == 5)
        for tab, horizon, line in zip(tabs, horizons, lines, strict=True):
            browser.switch_to.window(tab)
            wait(browser, f"tab {line}/{horizon}", lambda d: d.find_elements(By.ID, "done"))
            note = browser.find_element(By.ID, "done").text
            assert f"{horizon} months ahead" in note
            cells = browser.find_elements(By.CSS_SELECTOR, "#report tbody td")
            assert [c.text for c in cells[:2]] == ["EMEA", line]
        for tab in tabs[1:]:
            browser.switch_to.window(tab)
            browser.close()
        browser.switch_to.window(tabs[0])
