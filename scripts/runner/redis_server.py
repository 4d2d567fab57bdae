"""A throwaway Redis server: ``with running_redis() as redis: redis.url``.

For the tests and the bench of background jobs, which need a real broker and
result store: Debian's ``redis-server`` on a free loopback port, with a
password (so every test also proves the password stays out of logs), no
persistence, in a temporary folder removed on exit. A missing binary is an
error that says how to install it (``make redis``).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.runner.shutdown import stop

START_TIMEOUT_S = 30.0


class RedisUnavailable(RuntimeError):
    """No redis-server binary, or the server did not start."""


@dataclass(frozen=True)
class RedisServer:
    port: int
    password: str
    folder: Path
    process: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def log(self) -> str:
        return (self.folder / "redis.log").read_text(errors="replace")


def _unused_port() -> int:
    with socket.socket() as probe:  # Redis cannot pick its own (port 0 turns TCP off)
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int, password: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(f"AUTH {password}\r\nPING\r\n".encode())
            answer = b""
            while b"+PONG" not in answer and b"-" not in answer:
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
            return b"+PONG" in answer
    except OSError:
        return False


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).is_file():
        raise RedisUnavailable("redis-server not found: run `make redis` (installs it as root)")
    folder = Path(tempfile.mkdtemp(prefix="redis-"))
    port, password = _unused_port(), secrets.token_hex(16)
    config = folder / "redis.conf"  # the password in a file: not on any command line
    config.write_text(
        f'port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave ""\nappendonly no\n'
        f"dir {folder}\nlogfile {folder / 'redis.log'}\n"
    )
    process = subprocess.Popen([binary, str(config)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(port, password):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RedisUnavailable(f"redis-server did not start on port {port}:\n{log}")
            time.sleep(0.05)  # polling interval while it starts
        yield RedisServer(port, password, folder, process)
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)
