"""A job answers only the visitor who started it.

Dash signs a job's handles (``cacheKey``, ``job``) for the page load that
started it, but anyone holding that page load's whole poll query (its
``endId`` too) passes the check: a second visitor replaying it read the first
visitor's report, and with ``cancelJob`` cancelled it. So the manager records
the owner when the job starts, server-side, as the web process resolved the
visitor (``connectkit.current_visitor``: the trust rule applied, nothing the
request's body or query says), and every later call (progress, result, side
updates, running, cancel) answers only that visitor. Anyone else gets what a
missing job gets (no progress, no result, not running: Dash answers 204) and
the owner's job is untouched: nothing is read once, deleted or cancelled.

All anonymous visitors are one principal here (there is nobody to tell them
apart by); the apps with jobs are gated to signed-in groups.
"""

from __future__ import annotations

import json
from typing import Any

from connectkit import current_visitor


def caller() -> str:
    """Who is asking, as the web process resolved them: the owner record's value."""
    visitor = current_visitor()
    return json.dumps([str(visitor.mode), visitor.user])


class Owners:
    """Mixed into a manager, first: the owner of each job, checked on every call."""

    UNDEFINED: Any

    # The store (from the manager): a small value written and read back.
    def _put(self, key: str, value: str) -> None:
        raise NotImplementedError

    def _read(self, key: str) -> str | None:
        raise NotImplementedError

    def _owns_key(self, key: str) -> bool:
        return self._read(f"{key}-owner") == caller()

    def _owns_job(self, job: Any) -> bool:
        return self._read(f"job-{job}-owner") == caller()

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
        owner = caller()
        self._put(f"{key}-owner", owner)  # before the job can write its result
        job = super().call_job_fn(key, job_fn, args, context)  # type: ignore[misc]
        self._put(f"job-{job}-owner", owner)  # before its handles reach the page
        return job

    def get_progress(self, key: str) -> Any:
        return super().get_progress(key) if self._owns_key(key) else None  # type: ignore[misc]

    def get_result(self, key: str, job: Any) -> Any:
        if not self._owns_key(key) or (job is not None and not self._owns_job(job)):
            return self.UNDEFINED
        return super().get_result(key, job)  # type: ignore[misc]

    def result_ready(self, key: str) -> bool:
        return bool(self._owns_key(key) and super().result_ready(key))  # type: ignore[misc]

    def get_updated_props(self, key: str) -> Any:
        return super().get_updated_props(key) if self._owns_key(key) else {}  # type: ignore[misc]

    def job_running(self, job: Any) -> bool:
        return bool(self._owns_job(job) and super().job_running(job))  # type: ignore[misc]

    def terminate_job(self, job: Any) -> None:
        if job is not None and self._owns_job(job):
            super().terminate_job(job)  # type: ignore[misc]
