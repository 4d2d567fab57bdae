"""The report builder served for several visitors over one job store, as in production.

The runner serves one visitor per server (it sets the credentials header), so
two visitors are two servers of the same app sharing the store: the same
``REPORT_CACHE_DIR`` on the embedded manager (processes on one host), the same
Redis and one Celery worker on the distributed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from scripts.perf.dash_requests import callback_body
from scripts.perf.job_client import state
from scripts.runner.redis_server import RedisServer
from scripts.runner.serve import ServedApp, serve
from tests.support.redis import Worker, celery_worker, fresh_redis_url, wait_for_its_worker

APP = "report-builder"
VISITORS = {"erin": ("sales-emea",), "amos": ("sales-amer",)}
REGION_OF = {"erin": "EMEA", "amos": "AMER"}
# A killed worker is reported lost this long after its last progress. Also the
# silence a live job must never reach: on a busy machine a job can wait seconds
# for its worker or between steps, so this stays well above that (4 s was not).
LOST_AFTER_S = "10"
CANCEL = ("cancel", "n_clicks")


def report_body(paths: int, regions: tuple[str, ...] = ("EMEA", "AMER", "APAC")) -> dict[str, Any]:
    """Build-report's callback, asking every region (the scope must cut it down)."""
    return callback_body(
        [("outcome", "data")],
        [("start", "n_clicks", 1)],
        [
            state("regions", "value", list(regions)),
            state("lines", "value", ["Hardware", "Services"]),
            state("horizon", "value", 3),
            state("paths", "value", paths),
        ],
    )


def job_id(handles: dict[str, str]) -> str:
    """The job's id inside its signed handle (a process id, or a Celery task id)."""
    return handles["job"].rpartition("~")[0]


def celery_processes(root: int) -> list[psutil.Process]:
    """The Celery workers (and their pools) below process ``root``; zombies left out."""
    found = []
    for process in psutil.Process(root).children(recursive=True):
        try:
            if "celery" in " ".join(process.cmdline()):
                found.append(process)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue  # gone already
    return found


@dataclass
class Site:
    manager: str
    env: dict[str, str]
    folder: Path
    servers: dict[str, ServedApp] = field(default_factory=dict)
    worker: Worker | None = None
    stack: ExitStack = field(default_factory=ExitStack)

    def url(self, visitor: str) -> str:
        return self.servers[visitor].url

    def start_worker(self) -> Worker:
        log = self.folder / f"worker-{len(list(self.folder.glob('worker-*')))}.log"
        self.worker = self.stack.enter_context(celery_worker(APP, self.env, log))
        return self.worker

    def kill_workers(self) -> None:
        """SIGKILL every worker (those beside the servers too) and its pool at once."""
        roots = [s.process.pid for s in self.servers.values()]
        if self.worker is not None:
            roots.append(self.worker.process.pid)
        for root in roots:
            for process in celery_processes(root):
                process.kill()

    def logs(self) -> str:
        parts = [
            f"--- {name}\n{served.stderr_tail(40)}\n{served.stdout_path.read_text()[-2000:]}"
            for name, served in self.servers.items()
        ]
        if self.worker is not None:
            parts.append(f"--- worker\n{self.worker.text()[-3000:]}")
        return "\n".join(parts)


@contextmanager
def job_site(
    manager: str, folder: Path, redis: RedisServer | None, job_seconds: str
) -> Iterator[Site]:
    env = {"REPORT_JOB_SECONDS": job_seconds, "REPORT_LOST_AFTER_S": LOST_AFTER_S}
    if redis is not None:
        env["REDIS_URL"] = fresh_redis_url(redis)
    else:
        env["REPORT_CACHE_DIR"] = str(folder / "cache")
    site = Site(manager, env, folder)
    with site.stack:
        # With REDIS_URL, each server starts its Celery worker beside it (make run does).
        for user, groups in VISITORS.items():
            site.servers[user] = site.stack.enter_context(
                serve(APP, user=user, groups=groups, env=env, log_dir=folder / user)
            )
        if redis is not None:
            for served in site.servers.values():
                wait_for_its_worker(served)
        yield site
