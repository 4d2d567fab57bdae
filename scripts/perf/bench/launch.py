"""Serve a bench subject through the one serving path (scripts.runner.serve) and time it.

The clock starts just before the runner process is spawned and stops at the
first 200 on the app's index (the page a visitor asks for), so it counts the
interpreter, gunicorn, the imports and the first layout.

Served apps may write Python's bytecode caches, as a deployed app's installer
does (pip compiles what it installs). ``make env`` compiles the installed
packages once; this covers what it does not, the app's own modules and the
workspace's editable connectkit, which a ``PYTHONDONTWRITEBYTECODE`` in a
developer's shell would otherwise recompile at every start. The first
(warm-up) start of each subject writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.catalog import REPO_ROOT
from scripts.perf.bench import proctree
from scripts.perf.bench.subjects import Subject
from scripts.runner.serve import AppFailedToStart, ServedApp, serve

LOG_DIR = REPO_ROOT / "build" / "bench" / "logs"
WRITE_BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}  # empty: Python writes .pyc files
StartFailed = AppFailedToStart  # the bench's name for it


@dataclass
class Running:
    subject: Subject
    served: ServedApp
    cold_start_s: float
    cold_start_cpu_s: float  # CPU time of the runner and its worker up to that 200

    @property
    def url(self) -> str:  # the index: http://127.0.0.1:<port>/content/<guid>/
        return self.served.url

    @property
    def origin(self) -> str:
        return self.served.origin

    def stderr_tail(self, lines: int = 15) -> str:
        return self.served.stderr_tail(lines)


@contextmanager
def running(subject: Subject, log_dir: Path | None = None) -> Iterator[Running]:
    """Serve ``subject`` on a free port under a random prefix; stop it on exit."""
    with serve(
        subject.path,
        user=subject.user,
        groups=subject.groups,
        env={**WRITE_BYTECODE, **subject.env},
        log_dir=log_dir or LOG_DIR / subject.path.name,
        ready="index",
    ) as served:
        cpu = proctree.cpu_seconds(served.process.pid)
        yield Running(subject, served, served.ready_s, cpu)


def cold_start(subject: Subject) -> tuple[float, float]:
    """One cold start: wall and CPU seconds to the first 200 (the process is stopped again)."""
    with running(subject) as app:
        return app.cold_start_s, app.cold_start_cpu_s


def running_all(
    stack: ExitStack, subjects: Iterable[Subject]
) -> tuple[dict[str, Running], list[str]]:
    """Serve every subject until ``stack`` closes; (the running ones, why the others failed)."""
    started: dict[str, Running] = {}
    errors: list[str] = []
    for subject in subjects:
        try:
            started[subject.name] = stack.enter_context(running(subject))
        except StartFailed as error:
            errors.append(str(error))
    return started, errors
