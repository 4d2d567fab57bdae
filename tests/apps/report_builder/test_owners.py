"""reports.owners on its own: whoever did not start a job gets what a missing job
gets, and reaches nothing of the manager below (no read-once, no cancel).
The same over HTTP on both managers: test_jobs_over_http.py (replayed handles)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest


class Manager:
    """A manager's store and calls, recorded: what Owners sits on."""

    UNDEFINED = object()

    def __init__(self) -> None:
        self.store: dict[str, str] = {}
        self.calls: list[str] = []

    def _put(self, key: str, value: str) -> None:
        self.store[key] = value

    def _read(self, key: str) -> str | None:
        return self.store.get(key)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        return "job-1"

    def get_progress(self, key: str) -> Any:
        self.calls.append("progress")
        return [1, "1%"]

    def get_result(self, key: str, job: Any) -> Any:
        self.calls.append("result")  # a real manager deletes the result here
        return {"status": "done"}

    def result_ready(self, key: str) -> bool:
        return True

    def get_updated_props(self, key: str) -> Any:
        self.calls.append("props")
        return {"x": 1}

    def job_running(self, job: Any) -> bool:
        return True

    def terminate_job(self, job: Any) -> None:
        self.calls.append("terminate")


@pytest.fixture
def jobs(reports: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> Any:
    from reports import owners  # type: ignore[import-not-found]

    class Jobs(owners.Owners, Manager):  # type: ignore[misc]  # imported by path
        # the store, as the real managers give it: on the concrete class
        _put, _read = Manager._put, Manager._read

    who = SimpleNamespace(now='["names", "erin"]')
    monkeypatch.setattr(owners, "caller", lambda: who.now)
    manager = Jobs()
    manager.who = who
    return manager


def test_the_owner_gets_everything(jobs: Any) -> None:
    job = jobs.call_job_fn("key", None, [], {})
    assert jobs.get_progress("key") == [1, "1%"]
    assert jobs.get_updated_props("key") == {"x": 1}
    assert jobs.job_running(job) and jobs.result_ready("key")
    assert jobs.get_result("key", job) == {"status": "done"}
    jobs.terminate_job(job)
    assert jobs.calls == ["progress", "props", "result", "terminate"]


@pytest.mark.parametrize("asker", ['["names", "amos"]', '["names", null]', '["guids", "erin"]'])
def test_anyone_else_gets_a_missing_job_and_changes_nothing(jobs: Any, asker: str) -> None:
    job = jobs.call_job_fn("key", None, [], {})
    jobs.who.now = asker
    assert jobs.get_progress("key") is None
    assert jobs.get_updated_props("key") == {}
    assert not jobs.job_running(job) and not jobs.result_ready("key")
    assert jobs.get_result("key", job) is jobs.UNDEFINED
    jobs.terminate_job(job)
    assert jobs.calls == []  # nothing read once, nothing cancelled


def test_a_job_nobody_started_is_missing_for_everyone(jobs: Any) -> None:
    assert jobs.get_progress("never") is None
    assert jobs.get_result("never", "job-9") is jobs.UNDEFINED
    assert not jobs.job_running("job-9")
    jobs.terminate_job("job-9")
    assert jobs.calls == []


def test_the_owners_key_with_someone_elses_job_is_refused(jobs: Any) -> None:
    jobs.call_job_fn("erins", None, [], {})
    jobs.who.now = '["names", "amos"]'
    jobs.call_job_fn("amos", None, [], {})  # job-1 again: now amos's
    jobs.who.now = '["names", "erin"]'
    assert jobs.get_result("erins", "job-1") is jobs.UNDEFINED
    assert jobs.calls == []
