"""The Celery worker of an app with background jobs (``[tool.monorepo.jobs]``).

``make worker APP=name`` runs it in the foreground; ``make run APP=name
REDIS_URL=...`` starts one beside the web processes and stops it with them.
It is the app's own code with the same environment: the worker imports
``app.py`` from the app folder (as Connect does) and runs the background
callbacks that app registered, so web processes and workers agree on every
job's name. Celery prints the Redis URL with its password masked.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from scripts.catalog import AppInfo, UnknownAppError, celery_app_of, find_app

REDIS_URL_ENV = "REDIS_URL"


class NoWorker(RuntimeError):
    """This app, or this environment, has no worker to run; the message says why."""


def worker_target(app: AppInfo, environ: Mapping[str, str]) -> str:
    """``module:attribute`` of the app's Celery app; NoWorker when there is none to run."""
    target = celery_app_of(app)
    if target is None:
        raise NoWorker(
            f"{app.name} has no background jobs ([tool.monorepo.jobs] celery_app is not "
            f"set in {app.path / 'pyproject.toml'}): there is no worker to start"
        )
    if not environ.get(REDIS_URL_ENV, "").strip():
        raise NoWorker(
            f"{REDIS_URL_ENV} is not set: {app.name} runs its jobs in the web process "
            f"(the embedded DiskcacheManager) and needs no worker. To run them on Celery: "
            f"make worker APP={app.name} REDIS_URL=redis://HOST:6379/0"
        )
    return target


def worker_command(target: str, name: str, extra: Sequence[str] = ()) -> list[str]:
    # A node name of its own: workers on one host must not answer as one.
    node = f"{name}-{uuid.uuid4().hex[:8]}@%h"
    return [
        sys.executable, "-m", "celery", "--app", target, "worker", "--hostname", node,
        "--loglevel", "INFO", "--without-gossip", "--without-mingle", *extra,
    ]  # fmt: skip


def start_worker(
    app: AppInfo, environ: Mapping[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    """The worker as a child process, in the app folder, with ``environ``."""
    command = worker_command(worker_target(app, environ), app.name)
    out = log.open("ab") if log is not None else None
    try:
        return subprocess.Popen(
            command, cwd=app.path, env={**environ, "PYTHONPATH": str(app.path)},
            stdout=out, stderr=subprocess.STDOUT if out else None,
        )  # fmt: skip
    finally:
        if out is not None:
            out.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an app's Celery worker (make worker)")
    parser.add_argument("app", nargs="?", default="", help="app name (a folder under apps/)")
    args = parser.parse_args(argv)
    if not args.app:
        raise SystemExit("APP is not set: make worker APP=<name> REDIS_URL=redis://HOST:6379/0")
    try:
        app = find_app(args.app)
        target = worker_target(app, os.environ)
    except (UnknownAppError, NoWorker) as error:
        raise SystemExit(f"error: {error}") from None
    os.chdir(app.path)
    os.environ["PYTHONPATH"] = str(app.path)
    command = worker_command(target, app.name)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
