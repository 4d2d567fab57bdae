"""A throwaway PostgreSQL server: ``with running_postgres() as pg: pg.url``.

For the tests and the bench, which need a real server and must not depend on
one being installed and running: ``initdb`` makes a cluster in a temporary
folder, ``postgres`` serves it on a free loopback port (and a socket in the
same folder), and everything is removed on exit. Durability is switched off
(fsync, synchronous commit): the data is thrown away anyway.

Every connection needs the password (``scram-sha-256``, TCP and socket alike):
a random one per server, in ``url``. Loopback is shared by every local user
and process; ``trust`` would let any of them in.

The binaries come from Debian's ``postgresql`` package (``apt-get install -y
postgresql``): ``$PG_BINDIR``, else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``. Missing binaries are an error that says so.
As root (CI, containers), initdb refuses to run: the cluster then belongs to
the ``postgres`` user (``nobody`` when there is none).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from scripts.runner.shutdown import stop

BINDIR_SETTING = "PG_BINDIR"
INSTALL_HINT = "install them with `apt-get install -y postgresql` (Debian/Ubuntu)"
START_TIMEOUT_S = 60.0
SUPERUSER = "dashboard"
DATABASE = "sales"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the server did not start."""


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path
    process: subprocess.Popen[bytes]
    password: str = field(default="", repr=False)

    def url_of(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """For SQLAlchemy and the dashboard's DATABASE_URL (with the password)."""
        return self.url_of(DATABASE)

    @property
    def shown_url(self) -> str:
        """``url`` with the password hidden, for messages."""
        return self.url.replace(f":{self.password}@", ":***@")

    def create_database(self, name: str) -> str:
        """Another empty database on this server (one per test module); its URL."""
        if not name.isidentifier():
            raise ValueError(f"database name {name!r}: expected letters, digits and _")
        import psycopg  # only the callers that make databases need the driver

        with psycopg.connect(self.url_of("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def log(self) -> str:
        return (self.folder / "postgres.log").read_text(errors="replace")


def bindir_candidates() -> list[Path]:
    """Where to look, in order: $PG_BINDIR, ``pg_config --bindir``, the newest Debian version."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_SETTING):
        candidates.append(Path(os.environ[BINDIR_SETTING]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return candidates + list(reversed(versions))


def find_bindir(candidates: list[Path] | None = None) -> Path:
    """The first folder holding initdb and postgres; else an error saying how to install them."""
    candidates = bindir_candidates() if candidates is None else candidates
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    looked = ", ".join(str(c) for c in candidates) or "/usr/lib/postgresql/*/bin"
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (initdb, postgres) not found (looked in {looked}; "
        f"{BINDIR_SETTING} names another folder): {INSTALL_HINT}"
    )


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run the cluster as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and there is no `postgres` or `nobody` user")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class RunAs:
    """``user`` and ``group`` for subprocess: None runs as ourselves."""

    user: int | None = None
    group: int | None = None

    @classmethod
    def of(cls, account: pwd.struct_passwd | None) -> RunAs:
        return cls() if account is None else cls(account.pw_uid, account.pw_gid)


def _wait_until_accepting(server: PostgresServer, bindir: Path, run_as: RunAs) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise PostgresUnavailable(f"postgres exited at start:\n{server.log()[-2000:]}")
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(server.port), "-q"],
            user=run_as.user,
            group=run_as.group,
        )
        if ready.returncode == 0:
            return
        time.sleep(0.1)  # polling interval while the server starts
    raise PostgresUnavailable(
        f"postgres not ready after {START_TIMEOUT_S:.0f} s:\n{server.log()[-2000:]}"
    )


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A fresh cluster with an empty database ``sales``, removed on exit."""
    bindir = find_bindir()
    account = _unprivileged_user()
    folder = Path(tempfile.mkdtemp(prefix="postgres-"))
    try:
        if account is not None:
            os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = RunAs.of(account)
        data = folder / "data"
        password = secrets.token_urlsafe(24)
        password_file = folder / "password"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        if account is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=scram-sha-256",
             f"--pwfile={password_file}", "--no-sync", "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True, user=as_user.user, group=as_user.group,
        )  # fmt: skip
        password_file.unlink()
        port = _free_port()
        with open(folder / "postgres.log", "wb") as log:
            if account is not None:
                os.chown(folder / "postgres.log", account.pw_uid, account.pw_gid)
            process = subprocess.Popen(
                [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                stdout=log, stderr=subprocess.STDOUT, user=as_user.user, group=as_user.group,
            )  # fmt: skip
        server = PostgresServer(port, folder, process, password)
        try:
            _wait_until_accepting(server, bindir, as_user)
            subprocess.run(
                [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER,
                 DATABASE],
                check=True, capture_output=True, user=as_user.user, group=as_user.group,
                env={**os.environ, "PGPASSWORD": password},  # the environment, never argv
            )  # fmt: skip
            yield server
        finally:
            process.send_signal(signal.SIGINT)  # "fast" shutdown: SIGTERM waits for clients
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """``python -m scripts.runner.postgres``: serve a throwaway cluster until Ctrl-C.

    The URL (password included) goes to a file only its owner can read; the
    screen shows it with the password hidden.
    """
    with running_postgres() as server:
        url_file = server.folder / "database_url"
        url_file.touch(mode=0o600)
        url_file.write_text(server.url + "\n")
        print(f"DATABASE_URL={server.shown_url} (in full: {url_file})", flush=True)
        with suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
