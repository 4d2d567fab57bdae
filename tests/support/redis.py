"""Real parts for background jobs: a session Redis server and Celery workers.

No mock: Redis is Debian's ``redis-server`` started by
``scripts.runner.redis_server`` (with a password, so tests can check it
stays out of logs), and a worker is the app's own ``celery worker`` started
by ``scripts.runner.worker``, exactly as ``make worker`` starts it. Without
the binary the tests that need it FAIL (they do not skip): CI installs it
(``make redis``).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import psutil  # type: ignore[import-untyped]
import pytest

from scripts.catalog import find_app
from scripts.runner.redis_server import RedisServer, RedisUnavailable, running_redis
from scripts.runner.serve import ServedApp
from scripts.runner.shutdown import stop
from scripts.runner.worker import start_worker

READY = re.compile(r"\S+@\S+ ready\.")
WORKER_START_S = 120.0  # a failure bound, not a speed target
WORKER_REPLY_S = 60.0  # a failure bound: a busy machine answers late, not never
_databases = itertools.count(1)  # one Redis database per user of the session server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    try:
        with running_redis() as server:
            yield server
    except RedisUnavailable as error:
        pytest.fail(f"{error} (CI installs it through make test)", pytrace=False)


def fresh_redis_url(server: RedisServer) -> str:
    """A database of its own on the session server (16 exist; tests use a few)."""
    return server.url(next(_databases) % 16)


@dataclass
class Worker:
    process: Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.is_file() else ""


def wait_until_ready(output: Callable[[], str], process: Popen[bytes], what: str) -> None:
    """Until ``output`` says a Celery worker is ready (or ``process`` exits: fails)."""
    deadline = time.monotonic() + WORKER_START_S
    while not READY.search(output()):
        assert process.poll() is None, f"{what} exited:\n{output()[-3000:]}"
        assert time.monotonic() < deadline, f"{what}: no worker ready:\n{output()[-3000:]}"
        time.sleep(0.1)  # polling interval while it starts


def wait_for_its_worker(served: ServedApp) -> None:
    """The runner starts the app's worker beside it (REDIS_URL set) but says ready
    before the worker is: a test counting workers waits for that one too."""
    wait_until_ready(lambda: served.stderr() + served.stdout_path.read_text(), served.process,
                     f"{served.name}'s runner")  # fmt: skip


@contextmanager
def celery_worker(app: str, env: dict[str, str], log: Path) -> Iterator[Worker]:
    """The app's Celery worker (as ``make worker``), ready to take jobs, stopped on exit."""
    environ = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    worker = Worker(start_worker(find_app(app), environ, log), log)
    try:
        wait_until_ready(worker.text, worker.process, "the worker")
        yield worker
    finally:
        stop(worker.process)


def _is_celery(process: psutil.Process | None) -> bool:
    if process is None:
        return False
    try:
        return process.status() != psutil.STATUS_ZOMBIE and "celery" in " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False  # gone already


def running_workers() -> int:
    """Celery workers this test process started, itself or through a runner (pools left out)."""
    below = psutil.Process().children(recursive=True)
    return sum(1 for p in below if _is_celery(p) and not _is_celery(p.parent()))


def active_tasks(redis_url: str) -> list[str]:
    """The ids of the tasks the running workers hold, once every one of them answered
    (each one ready: ``celery_worker``, ``wait_for_its_worker``).

    Celery's ``inspect`` returns what answered within its timeout (``None`` when
    nothing did): with a short timeout a worker slow to answer on a busy machine
    reads as an idle one. Asking for as many replies as workers run returns as
    soon as each answered, and waits for a late one instead of guessing.
    """
    from celery import Celery  # type: ignore[import-untyped]  # only the job tests need it

    workers = running_workers()
    if workers == 0:
        return []
    inspect = Celery(broker=redis_url).control.inspect(timeout=WORKER_REPLY_S, limit=workers)
    replies = inspect.active() or {}
    assert len(replies) == workers, (
        f"{len(replies)} of {workers} Celery workers answered within {WORKER_REPLY_S:.0f} s"
    )
    return [task["id"] for tasks in replies.values() for task in tasks]
