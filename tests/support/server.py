"""Start an app in its own process through the same runner as ``make run``."""

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

from scripts.catalog import REPO_ROOT
from scripts.processes import stop

READY_LINE = re.compile(r"Serving \S+ at (?P<url>http://\S+)")
START_TIMEOUT_S = 90.0


class AppFailedToStart(RuntimeError):
    """The app process exited or never became healthy."""


def random_prefix() -> str:
    """A Connect-like prefix, different on every run, so nothing hard-codes one."""
    return f"/content/{uuid.uuid4()}/"


@dataclass
class ServedApp:
    """A running app: its URL and its captured output."""

    name: str
    url: str  # ends with the prefix, e.g. http://127.0.0.1:41234/content/<guid>/
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    prefix: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.url[: self.url.index("/", len("http://"))]

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stderr_tail(self, lines: int = 30) -> str:
        return "\n".join(self.stderr().splitlines()[-lines:])

    def tracebacks(self) -> list[str]:
        """Each traceback the app printed, as one string."""
        # the header, the indented frames, then the exception line itself
        return re.findall(
            r"Traceback \(most recent call last\):\n(?:[ \t].*\n)*\S.*", self.stderr()
        )


def _wait_until_healthy(served: ServedApp, deadline: float) -> None:
    health = served.url + "health"
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AppFailedToStart(
                f"{served.name} exited with {served.process.returncode} before it was "
                f"ready; last stderr lines:\n{served.stderr_tail()}"
            )
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)  # polling interval while waiting for readiness, not a fixed wait
    raise AppFailedToStart(
        f"{served.name} not healthy at {health} after {START_TIMEOUT_S:.0f}s; "
        f"last stderr lines:\n{served.stderr_tail()}"
    )


def _wait_for_ready_line(
    stdout_path: Path,
    process: subprocess.Popen[bytes],
    deadline: float,
    name: str,
    stderr_path: Path,
) -> str:
    while time.monotonic() < deadline:
        match = READY_LINE.search(stdout_path.read_text(errors="replace"))
        if match:
            return match.group("url")
        if process.poll() is not None:
            raise AppFailedToStart(
                f"{name} runner exited with {process.returncode}; last stderr lines:\n"
                + "\n".join(stderr_path.read_text(errors="replace").splitlines()[-30:])
            )
        time.sleep(0.05)
    raise AppFailedToStart(f"{name} runner printed no URL within {START_TIMEOUT_S:.0f}s")


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
) -> Iterator[ServedApp]:
    """Serve an app (a name under apps/, or a folder) on a free port until exit."""
    prefix = prefix if prefix is not None else random_prefix()
    target = ["--app-dir", str(app)] if isinstance(app, Path) else [app]
    name = app.name if isinstance(app, Path) else app
    command = [
        sys.executable,
        "-m",
        "scripts.run",
        *target,
        "--port",
        "0",
        "--prefix",
        prefix,
        "--user",
        user,
        "--groups",
        ",".join(groups),
    ]
    if credentials is not None:
        command += ["--credentials", credentials]
    if vanity is not None:
        command += ["--vanity", vanity]
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix=f"served-{name}-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    served = None
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = _wait_for_ready_line(stdout_path, process, deadline, name, stderr_path)
        served = ServedApp(name, url, process, stdout_path, stderr_path, prefix, env or {})
        _wait_until_healthy(served, deadline)
        yield served
    finally:
        stop(process)
