"""Where reports run: Dash's background-callback managers, made safe for visitors.

- Embedded (default): ``DiskcacheManager``. Each job is a child process of
  the web process, tracked by its process id; results wait in a disk cache
  under ``cache/``. One process only: the deploy refuses ``max_processes`` > 1.
- Distributed (``REDIS_URL`` set): ``CeleryManager``. Jobs go through Redis
  (broker and result store) to Celery workers started from this same code
  (``make worker APP=report-builder``), on any host that reaches the Redis.

What both get here, on top of Dash:

- an owner per job (``reports.owners``): progress, result and cancel answer
  only the visitor who started it, as the web process resolved them;
- a result slot per job (``connectkit.job_result_key`` in ``cache_by``), read
  once and then deleted: Dash's own key is the callback and its inputs, which
  two visitors asking the same thing share;
- no request headers or cookies in the job's context (Dash sends them along,
  through Redis on Celery); the visitor is carried by connectkit instead;
- outcomes Dash leaves silent: a cancelled job ends with ``{"status":
  "cancelled"}``, and a job whose process is gone, or that reported no
  progress for ``lost_after_s`` (its worker was killed, or none is running),
  ends with ``{"status": "lost"}``. Without that, a job lost with its Celery
  worker stays "pending" and the page polls forever.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from connectkit import job_result_key
from dash import CeleryManager, DiskcacheManager
from dash.background_callback.managers import BaseBackgroundCallbackManager

from reports.dash_job_fn import disk_job_fn
from reports.owners import Owners
from reports.settings import ReportSettings

CANCELLED = {"status": "cancelled"}
# How long the bookkeeping (and an unread result in Redis) is kept.
KEEP_S = 3600


def lost_outcome(silent_s: float | None) -> dict[str, Any]:
    why = (
        "its process is gone"
        if silent_s is None
        else f"no progress for {silent_s:.0f} s: its worker stopped, or none is running"
    )
    return {"status": "lost", "reason": why}


class _Outcomes:
    """Mixed into a Dash manager (before it): cancelled and lost outcomes, one slot per job."""

    lost_after_s: float
    UNDEFINED: Any
    # The job get_result last found still running, per request thread: Dash asks
    # job_running right after, and must get the same answer (see get_result).
    _seen_running = threading.local()

    # The store: each manager says how to write and read a small value.
    def _put(self, key: str, value: str) -> None:
        raise NotImplementedError

    def _read(self, key: str) -> str | None:
        raise NotImplementedError

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
        self._put(f"{key}-seen", str(time.time()))  # the clock for "no progress since"
        # Dash hands the job the whole callback context, the request's headers and
        # cookies included (on Celery, through Redis): on Connect those hold the
        # visitor's credentials and session token. The job needs only the visitor
        # connectkit carries, so the rest stays in the web process.
        context = type(context)({**context, "headers": {}, "cookies": {}})
        return super().call_job_fn(key, job_fn, args, context)  # type: ignore[misc]

    def get_progress(self, key: str) -> Any:
        progress = super().get_progress(key)  # type: ignore[misc]
        if progress:
            self._put(f"{key}-seen", str(time.time()))
        return progress

    def terminate_job(self, job: Any) -> None:
        if job is not None:
            self._put(f"job-{job}-cancelled", "1")  # read only while no result exists
        super().terminate_job(job)  # type: ignore[misc]

    def get_result(self, key: str, job: Any) -> Any:
        self._seen_running.job = None
        result = self._read_once(key, job)
        if result is not self.UNDEFINED or job is None:
            return result
        if self._read(f"job-{job}-cancelled"):
            return CANCELLED
        if not self.job_running(job):
            # It may have finished since the read above: its result is there now.
            result = self._read_once(key, job)
            return lost_outcome(None) if result is self.UNDEFINED else result
        seen = self._read(f"{key}-seen")
        silent_s = time.time() - float(seen) if seen else self.lost_after_s
        if silent_s >= self.lost_after_s:
            super().terminate_job(job)  # type: ignore[misc]  # in case it comes back
            return lost_outcome(silent_s)
        self._seen_running.job = job
        return result

    def _read_once(self, key: str, job: Any) -> Any:
        result = super().get_result(key, job)  # type: ignore[misc]
        if result is not self.UNDEFINED:
            self.clear_cache_entry(key)  # type: ignore[attr-defined]  # read once
        return result

    def job_running(self, job: Any) -> bool:
        # Dash (4.x, _handle_rest_background_callback) calls this right after
        # get_result: a job that finished in between reads as "not running, no
        # result", and Dash answers 204, so the page stops polling and its report
        # is never read. Within one request, "running" is what get_result saw.
        if job is not None and getattr(self._seen_running, "job", None) == job:
            self._seen_running.job = None
            return True
        return bool(super().job_running(job))  # type: ignore[misc]


class EmbeddedJobs(Owners, _Outcomes, DiskcacheManager):
    """The embedded manager, its disk cache opened on first use, not at import:
    importing the app (the bundle's import check, a test) must leave no file."""

    def __init__(self, settings: ReportSettings) -> None:
        self.lost_after_s = settings.lost_after_s
        self.expire = KEEP_S
        self._folder = settings.cache_dir / "jobs"
        self._cache: Any = None
        self._opening = threading.Lock()
        # DiskcacheManager.__init__ would open a cache now; the base only records cache_by.
        BaseBackgroundCallbackManager.__init__(self, [job_result_key])

    @property
    def handle(self) -> Any:
        with self._opening:
            if self._cache is None:
                import diskcache  # type: ignore[import-untyped]  # only this manager needs it

                self._cache = diskcache.Cache(str(self._folder))
            return self._cache

    def make_job_fn(self, fn: Any, progress: Any, key: Any = None) -> Any:
        # Dash's job function takes the cache when the callback is registered
        # (at import): give it something that opens the cache when a job writes.
        return disk_job_fn(fn, _CacheOnUse(self), bool(progress))

    def _put(self, key: str, value: str) -> None:
        self.handle.set(key, value, expire=KEEP_S)

    def _read(self, key: str) -> str | None:
        value = self.handle.get(key)
        return value if isinstance(value, str) else None


class _CacheOnUse:
    """What a job writes through (``set``): the manager's cache, opened then."""

    def __init__(self, manager: EmbeddedJobs) -> None:
        self._manager = manager

    def set(self, key: str, value: Any) -> Any:
        return self._manager.handle.set(key, value)


class CeleryJobs(Owners, _Outcomes, CeleryManager):
    def __init__(self, settings: ReportSettings, celery_app: Any) -> None:
        self.lost_after_s = settings.lost_after_s
        super().__init__(celery_app, cache_by=[job_result_key], expire=KEEP_S)  # type: ignore[no-untyped-call]

    def _put(self, key: str, value: str) -> None:
        self.handle.backend.set(key, value)  # expires after result_expires (KEEP_S)

    def _read(self, key: str) -> str | None:
        value = self.handle.backend.get(key)
        return value.decode() if isinstance(value, bytes) else value


def make_celery(settings: ReportSettings) -> Any:
    """The Celery app the web processes send jobs to and the worker runs them from."""
    from celery import Celery  # type: ignore[import-untyped]  # only the distributed manager needs it

    celery_app = Celery("report-builder", broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        # A job lost with its worker is reported lost, not re-run behind the visitor's back.
        task_acks_late=False,
        worker_prefetch_multiplier=1,  # a busy worker does not hoard queued jobs
        worker_concurrency=settings.worker_concurrency,
        result_expires=KEEP_S,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return celery_app


def make_manager(settings: ReportSettings) -> EmbeddedJobs | CeleryJobs:
    """The manager the settings ask for: embedded, or Celery when REDIS_URL is set."""
    if settings.redis_url is None:
        return EmbeddedJobs(settings)
    return CeleryJobs(settings, make_celery(settings))
