"""Dash's private job function for the embedded manager, behind one seam.

``DiskcacheManager.make_job_fn`` hands Dash's job function the cache when
the callback is registered (at import); the report builder opens its cache on
first use instead (``reports.managers.EmbeddedJobs``), so it builds the job
function itself, with Dash's private ``_make_job_fn``. That is the only use of
a private Dash name here, and this module is its only caller.

Written for Dash ``WRITTEN_FOR``. What it relies on: ``_make_job_fn(fn,
cache, progress)`` returns ``job_fn(result_key, progress_key, args,
context)``, which calls ``fn`` (with ``set_progress`` first when
``progress``) and writes progress, side updates and the result only through
``cache.set(key, value)``. ``tests/apps/report_builder/test_dash_job_fn.py``
checks all of it and fails loudly on another Dash version: then re-read
``dash/background_callback/managers/diskcache_manager.py`` and update both.
"""

from __future__ import annotations

from typing import Any, Protocol

WRITTEN_FOR = "4.4.1"


class WritesValues(Protocol):
    def set(self, key: str, value: Any) -> Any: ...


def disk_job_fn(fn: Any, cache: WritesValues, progress: bool) -> Any:
    """Dash's job function for ``fn``, writing through ``cache`` (anything with ``set``)."""
    from dash.background_callback.managers.diskcache_manager import _make_job_fn

    return _make_job_fn(fn, cache, progress)
