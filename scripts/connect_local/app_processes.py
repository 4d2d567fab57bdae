"""App processes: one gunicorn per running bundle, listening on a Unix socket.

Unix sockets (in a short private temp dir) avoid port races with everything
else on the machine. An app counts as started once it answers an HTTP
request; if the process exits first, the error is the tail of its output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 120.0
SHIM_DIR = Path(__file__).resolve().parent / "app_shim"  # holds connect_local_wsgi.py only
ERROR_TAIL_LINES = 30
JOB_HISTORY = 500  # processes remembered for GET v1/content/{guid}/jobs, newest kept


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class AppStartError(RuntimeError):
    """The app exited or never answered; the message carries its last output lines."""


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")


def summarise(output: str) -> str:
    """The line that says what went wrong: the last exception line, else the last line."""
    lines = [line for line in output.splitlines() if line.strip()]
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    return (exceptions or lines or ["no output"])[-1].strip()


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix socket (the app's gunicorn)."""

    def __init__(self, socket_path: Path, timeout: float = 300.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.socket_path))
        self.sock = sock


@dataclass
class AppProcess:
    key: str
    socket_path: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    python: Path  # the environment's interpreter (the runtime cache it uses)
    job_key: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    start_time: str = field(default_factory=_now_iso)
    end_time: str | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = ERROR_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.end_time = self.end_time or _now_iso()
        self.socket_path.unlink(missing_ok=True)


def _answers_http(socket_path: Path) -> bool:
    connection = UnixHTTPConnection(socket_path, timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": "localhost"})
        connection.getresponse().read()
        return True
    except OSError:
        return False
    except http.client.HTTPException:
        return False
    finally:
        connection.close()


def gunicorn_command(python: Path, socket_path: Path, app_dir: Path) -> list[str]:
    """gunicorn serving the bundle in ``app_dir`` (through the shim) on a unix socket."""
    return [
        str(python),
        "-m",
        "gunicorn",
        "--bind",
        f"unix:{socket_path}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--preload",  # import the app before listening: a broken app never "starts"
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--chdir",
        str(app_dir),
        "--pythonpath",
        str(SHIM_DIR),
        "connect_local_wsgi:application",
    ]


def _wait_until_answering(app: AppProcess, timeout: float) -> None:
    """Return once the app answers HTTP; AppStartError when it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while not (app.socket_path.exists() and _answers_http(app.socket_path)):
        if not app.alive():
            tail = app.log_tail()
            raise AppStartError(
                f"the app exited with code {app.process.returncode} before it answered: "
                f"{summarise(tail)}\nits last output lines:\n{tail}"
            )
        if time.monotonic() > deadline:
            app.stop()
            raise AppStartError(
                f"the app did not answer within {timeout:.0f}s; its last output lines:\n"
                f"{app.log_tail()}"
            )
        time.sleep(0.05)  # polling interval while the app boots


class ProcessManager:
    """Starts, finds and stops app processes; remembers PIDs to clean up after a crash."""

    def __init__(self, run_dir: Path) -> None:
        self._socket_dir = Path(tempfile.mkdtemp(prefix="cl-"))  # short: AF_UNIX path limit
        self._pid_file = run_dir / "app-pids.json"
        run_dir.mkdir(parents=True, exist_ok=True)
        self._processes: dict[str, AppProcess] = {}
        self._spawned: list[AppProcess] = []  # every process, even one still starting
        self._history: list[AppProcess] = []  # the jobs: every process started, newest last
        self._lock = threading.RLock()
        self._counter = 0
        self._reap_leftovers()

    def _reap_leftovers(self) -> None:
        """Stop apps a previous stand-in left running (it was killed, not stopped)."""
        try:
            leftovers = json.loads(self._pid_file.read_text())
        except (OSError, ValueError):
            return
        for entry in leftovers if isinstance(leftovers, list) else []:
            pid, marker = entry.get("pid"), entry.get("socket", "")
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except (OSError, TypeError):
                continue
            if marker and marker in cmdline:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(pid), signal.SIGTERM)

    def _record_pids(self) -> None:
        self._spawned = [p for p in self._spawned if p.alive()]
        entries = [{"pid": p.process.pid, "socket": str(p.socket_path)} for p in self._spawned]
        self._pid_file.write_text(json.dumps(entries))

    def get(self, key: str) -> AppProcess | None:
        with self._lock:
            found = self._processes.get(key)
            return found if found is not None and found.alive() else None

    def start(
        self,
        key: str,
        *,
        python: Path,
        app_dir: Path,
        entrypoint: str,
        env: dict[str, str],
        log_path: Path,
        timeout: float = START_TIMEOUT_S,
    ) -> AppProcess:
        """Start gunicorn for ``entrypoint`` and wait until it answers; replaces ``key``."""
        with self._lock:
            self._counter += 1
            socket_path = self._socket_dir / f"{self._counter}.sock"
        command = gunicorn_command(python, socket_path, app_dir)
        env = {**env, "CONNECT_LOCAL_ENTRYPOINT": entrypoint}
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            log.write(f"--- starting {key}: {' '.join(command)}\n".encode())
            log.flush()
            process = subprocess.Popen(
                command,
                cwd=app_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends workers too
            )
        app = AppProcess(key, socket_path, log_path, process, python)
        with self._lock:
            self._spawned.append(app)
            self._history = [*self._history, app][-JOB_HISTORY:]
            self._record_pids()
        _wait_until_answering(app, timeout)
        with self._lock:
            previous = self._processes.get(key)
            self._processes[key] = app
            self._record_pids()
        if previous is not None:
            previous.stop()
        return app

    def stop(self, key: str) -> None:
        with self._lock:
            app = self._processes.pop(key, None)
            self._record_pids()
        if app is not None:
            app.stop()

    def history(self, content_guid: str) -> list[AppProcess]:
        """Every process started for a content item (active and drafts), oldest first."""
        with self._lock:
            return [
                p
                for p in self._history
                if p.key == content_guid or p.key.startswith(f"{content_guid}/")
            ]

    def kill(self, app: AppProcess) -> None:
        """End one process; the next request for its content starts a new one."""
        with self._lock:
            if self._processes.get(app.key) is app:
                del self._processes[app.key]
            self._record_pids()
        app.stop()

    def pythons_in_use(self) -> set[Path]:
        with self._lock:
            return {p.python for p in self._spawned if p.alive()}

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._processes)

    def stop_all(self) -> None:
        with self._lock:
            apps = list(self._spawned)
            self._processes.clear()
        for app in apps:
            app.stop()
        with self._lock:
            self._record_pids()
        shutil.rmtree(self._socket_dir, ignore_errors=True)
