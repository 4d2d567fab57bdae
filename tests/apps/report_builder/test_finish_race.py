"""A job that finishes while a poll is being answered: its report still arrives.

Dash reads a job's result, then asks whether the job still runs. A job that
ends between the two looked like "not running, no result": Dash answered 204,
the page stopped polling, and the report was never read (seen under load in
``make test-under-load``). Staged here on the embedded manager, with a real
child process as the job.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

DONE = {"status": "done"}
KEY = "report-key"


@pytest.fixture
def job() -> Iterator[subprocess.Popen[bytes]]:
    """A running job's process: it runs until its stdin closes."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE)  # fmt: skip
    yield process
    process.kill()
    process.wait()


def embedded(reports: SimpleNamespace, folder: Path) -> Any:
    manager = reports.managers.EmbeddedJobs(
        reports.settings.load_settings({"REPORT_CACHE_DIR": str(folder)})
    )
    manager._put(f"{KEY}-seen", str(time.time()))  # progress just now: not silent
    return manager


def started_by_this_caller(reports: SimpleNamespace, manager: Any, pid: int) -> None:
    """The owner records a start writes (reports.owners): the test is the visitor."""
    owner = reports.owners.caller()
    manager._put(f"{KEY}-owner", owner)
    manager._put(f"job-{pid}-owner", owner)


def finish(process: subprocess.Popen[bytes]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait()


def test_a_job_ending_between_the_read_and_the_running_check_is_polled_again(
    reports: SimpleNamespace, tmp_path: Path, job: subprocess.Popen[bytes]
) -> None:
    manager = embedded(reports, tmp_path)
    started_by_this_caller(reports, manager, job.pid)
    assert manager.get_result(KEY, str(job.pid)) is manager.UNDEFINED  # still computing
    manager.handle.set(KEY, DONE)  # the job writes its report and exits
    finish(job)
    assert manager.job_running(str(job.pid))  # Dash's next question: the page keeps polling
    assert not manager.job_running(str(job.pid))  # once: the next request asks afresh
    assert manager.get_result(KEY, str(job.pid)) == DONE  # the next poll reads the report


def test_a_job_ending_during_the_lost_check_is_done_not_lost(
    reports: SimpleNamespace, tmp_path: Path, job: subprocess.Popen[bytes]
) -> None:
    manager = embedded(reports, tmp_path)
    started_by_this_caller(reports, manager, job.pid)

    def ends_now(pid: str) -> bool:  # the report lands just before the process is looked at
        manager.handle.set(KEY, DONE)
        finish(job)
        return False

    manager.job_running = ends_now
    assert manager.get_result(KEY, str(job.pid)) == DONE
