"""Start an app through the same runner as ``make run`` and time it.

The clock starts just before the runner process is spawned and stops at the
first 200 on the app's index (the page a visitor asks for), so it counts the
interpreter, gunicorn, the imports and the first layout. gunicorn binds its
socket before the worker imports the app, so one GET waits in the listen
queue until the app answers: no polling interval blurs the figure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.bench import proctree
from scripts.bench.subjects import Subject
from scripts.catalog import REPO_ROOT
from scripts.processes import stop

READY_LINE = re.compile(r"Serving \S+ at (?P<url>http://\S+)")
START_TIMEOUT_S = 120.0
POLL_S = 0.005  # while waiting for the runner's URL line
LOG_DIR = REPO_ROOT / "build" / "bench" / "logs"


class StartFailed(RuntimeError):
    """The app's process exited, or never answered 200 on its index."""


@dataclass
class Running:
    subject: Subject
    url: str  # the index: http://127.0.0.1:<port>/content/<guid>/
    process: subprocess.Popen[bytes]
    stderr_path: Path
    cold_start_s: float
    cold_start_cpu_s: float  # CPU time of the runner and its worker up to that 200

    @property
    def origin(self) -> str:
        return self.url[: self.url.index("/", len("http://"))]

    def stderr_tail(self, lines: int = 15) -> str:
        return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])


def runner_command(subject: Subject, prefix: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scripts.run",
        "--app-dir",
        str(subject.path),
        "--port",
        "0",
        "--prefix",
        prefix,
        "--user",
        subject.user,
        "--groups",
        ",".join(subject.groups),
    ]


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_for_url(process: subprocess.Popen[bytes], out: Path, err: Path, name: str) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        match = READY_LINE.search(out.read_text(errors="replace"))
        if match:
            return match.group("url")
        if process.poll() is not None:
            raise StartFailed(f"{name}: runner exited with {process.returncode}:\n{_tail(err)}")
        time.sleep(POLL_S)
    raise StartFailed(f"{name}: runner printed no URL within {START_TIMEOUT_S:.0f} s")


def _first_200(url: str, process: subprocess.Popen[bytes], err: Path, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartFailed(f"{name}: exited with {process.returncode}:\n{_tail(err)}")
        try:
            with urllib.request.urlopen(url, timeout=START_TIMEOUT_S) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
            if error.code < 500:  # a 403 or 404 will not turn into a 200
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = str(error)
        time.sleep(POLL_S)
    raise StartFailed(f"{name}: no 200 from {url} ({last}):\n{_tail(err)}")


@contextmanager
def running(subject: Subject, log_dir: Path | None = None) -> Iterator[Running]:
    """Serve ``subject`` on a free port under a random prefix; stop it on exit."""
    log_dir = log_dir or LOG_DIR / subject.path.name
    log_dir.mkdir(parents=True, exist_ok=True)
    out, err = log_dir / "stdout.log", log_dir / "stderr.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **subject.env}
    prefix = f"/content/{uuid.uuid4()}/"
    with out.open("wb") as out_file, err.open("wb") as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            runner_command(subject, prefix),
            cwd=REPO_ROOT,
            stdout=out_file,
            stderr=err_file,
            env=env,
        )
    try:
        url = _wait_for_url(process, out, err, subject.name)
        _first_200(url, process, err, subject.name)
        elapsed = time.perf_counter() - started
        cpu = proctree.cpu_seconds(process.pid)
        yield Running(subject, url, process, err, elapsed, cpu)
    finally:
        stop(process)


def cold_start(subject: Subject) -> tuple[float, float]:
    """One cold start: wall and CPU seconds to the first 200 (the process is stopped again)."""
    with running(subject) as app:
        return app.cold_start_s, app.cold_start_cpu_s
