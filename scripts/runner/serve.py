"""Start an app in its own process through the same runner as ``make run``, and wait for it.

The one way every caller serves an app: the tests (``serve``, ready once the
health route answers), the bench (``serve(..., ready="index")``, timed from
spawn to the first 200 on the index a visitor asks for) and the load tool.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scripts.catalog import REPO_ROOT
from scripts.runner.run import READY_MESSAGE
from scripts.runner.shutdown import stop

# The runner's ready line, derived from the message it prints.
READY_LINE = re.compile(
    re.escape(READY_MESSAGE)
    .replace(r"\{name\}", r"\S+")
    .replace(r"\{url\}", r"(?P<url>http://\S+)")
)
START_TIMEOUT_S = 120.0
POLL_S = 0.005  # while waiting for readiness: a polling interval, not a fixed wait
Ready = Literal["health", "index"]


class AppFailedToStart(RuntimeError):
    """The app process exited, or never became ready; carries its last stderr lines."""


def random_prefix() -> str:
    """A Connect-like prefix, different on every run, so nothing hard-codes one."""
    return f"/content/{uuid.uuid4()}/"


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class ServedApp:
    """A running app: its URL, its captured output, and how long it took to be ready."""

    name: str
    url: str  # ends with the prefix, e.g. http://127.0.0.1:41234/content/<guid>/
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    prefix: str
    extra_env: dict[str, str] = field(default_factory=dict)
    ready_s: float = 0.0  # wall seconds from spawning the runner to ready

    @property
    def origin(self) -> str:
        return self.url[: self.url.index("/", len("http://"))]

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stderr_tail(self, lines: int = 30) -> str:
        return _tail(self.stderr_path, lines)

    def tracebacks(self) -> list[str]:
        """Each traceback the app printed, as one string."""
        # the header, the indented frames, then the exception line itself
        return re.findall(
            r"Traceback \(most recent call last\):\n(?:[ \t].*\n)*\S.*", self.stderr()
        )


def runner_command(
    app: str | Path,
    prefix: str,
    *,
    user: str = "",
    groups: Sequence[str] = (),
    credentials: str | None = None,
    vanity: str | None = None,
    processes: int = 1,
    visitor_keys: Path | None = None,
) -> list[str]:
    """``python -m scripts.runner.run`` for an app name under apps/ or an app folder."""
    target = ["--app-dir", str(app)] if isinstance(app, Path) else [app]
    command = [sys.executable, "-m", "scripts.runner.run", *target, "--port", "0"]
    command += ["--prefix", prefix, "--user", user, "--groups", ",".join(groups)]
    if credentials is not None:
        command += ["--credentials", credentials]
    if vanity is not None:
        command += ["--vanity", vanity]
    if processes != 1:
        command += ["--processes", str(processes)]
    if visitor_keys is not None:
        command += ["--visitor-keys", str(visitor_keys)]
    return command


def _wait_for_url(
    process: subprocess.Popen[bytes], out: Path, err: Path, name: str, deadline: float
) -> str:
    while time.monotonic() < deadline:
        match = READY_LINE.search(out.read_text(errors="replace"))
        if match:
            return match.group("url")
        if process.poll() is not None:
            raise AppFailedToStart(
                f"{name} runner exited with {process.returncode}; last stderr lines:\n{_tail(err)}"
            )
        time.sleep(POLL_S)
    raise AppFailedToStart(f"{name} runner printed no URL within {START_TIMEOUT_S:.0f}s")


def _wait_for_200(served: ServedApp, url: str, deadline: float) -> None:
    """Until ``url`` answers 200; a 4xx will not turn into a 200, so it fails at once."""
    last = ""
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AppFailedToStart(
                f"{served.name} exited with {served.process.returncode} before it was "
                f"ready; last stderr lines:\n{served.stderr_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=START_TIMEOUT_S) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            with error:  # closes its socket: a leak is a ResourceWarning
                last = f"HTTP {error.code}"
            if error.code < 500:
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = str(error)
        time.sleep(POLL_S)
    raise AppFailedToStart(
        f"{served.name} not ready at {url} ({last or 'no answer'}); "
        f"last stderr lines:\n{served.stderr_tail()}"
    )


@contextmanager
def serve(
    app: str | Path,
    *,
    prefix: str | None = None,
    user: str = "",
    groups: Sequence[str] = (),
    credentials: str | None = None,
    vanity: str | None = None,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    ready: Ready = "health",
    processes: int = 1,
    visitor_keys: Path | None = None,
) -> Iterator[ServedApp]:
    """Serve an app (a name under apps/, or a folder) on a free port until exit.

    ``ready="health"`` waits for the health route; ``ready="index"`` for the
    first 200 on the index (gunicorn binds before its worker imports the app,
    so that one GET waits in the listen queue: the bench's cold start).
    """
    prefix = prefix if prefix is not None else random_prefix()
    name = app.name if isinstance(app, Path) else app
    command = runner_command(
        app,
        prefix,
        user=user,
        groups=groups,
        credentials=credentials,
        vanity=vanity,
        processes=processes,
        visitor_keys=visitor_keys,
    )
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix=f"served-{name}-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = _wait_for_url(process, stdout_path, stderr_path, name, deadline)
        served = ServedApp(name, url, process, stdout_path, stderr_path, prefix, env or {})
        _wait_for_200(served, url + "health" if ready == "health" else url, deadline)
        served.ready_s = time.perf_counter() - started
        yield served
    finally:
        stop(process)
