"""The dashboard bench's databases: the demo data at each size, in DuckDB and PostgreSQL.

DuckDB files are kept under ``build/bench/dashboard/`` between runs (loading
ten million rows takes minutes); PostgreSQL is a throwaway server
(``scripts.runner.postgres``) with one database per size, loaded once per
bench run and shared by the modules that need it (stopped when the process
exits). Loading
goes through the app's own loader (``python -m sales.load``, what ``make
data`` runs), in its own process.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from scripts.catalog import REPO_ROOT, find_app
from scripts.perf.bench import subjects
from scripts.runner.postgres import PostgresServer, running_postgres

APP = "group-dashboard"
KINDS = ("duckdb", "postgresql")
SIZES = (100_000, 1_000_000, 10_000_000)  # small, main, large
DATA_DIR = REPO_ROOT / "build" / "bench" / "dashboard"
LOAD_TIMEOUT_S = 3600


def check_kinds(kinds: Sequence[str]) -> None:
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"databases {sorted(unknown) or '(none)'}: expected some of {KINDS}")


@dataclass
class BenchDatabases:
    postgres: PostgresServer | None
    _loaded: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)

    def env(self, kind: str, rows: int) -> dict[str, str]:
        """The app's settings for ``rows`` demo rows in ``kind``, loading them if needed."""
        if (kind, rows) not in self._loaded:
            if kind == "duckdb":
                # empty: a DATABASE_URL in the caller's shell must not win
                env = {
                    "DASHBOARD_DUCKDB": str(DATA_DIR / f"sales-{rows}.duckdb"),
                    "DATABASE_URL": "",
                }
            else:
                assert self.postgres is not None, "no PostgreSQL server was started"
                env = {"DATABASE_URL": self.postgres.create_database(f"sales_{rows}")}
            env |= {"DASHBOARD_ROWS": str(rows)}
            load(env)
            self._loaded[kind, rows] = env
        return self._loaded[kind, rows]


def load(env: dict[str, str]) -> None:
    """``python -m sales.load`` in the app folder: a no-op when the data is there."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DASHBOARD_", "DATABASE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "sales.load"],
        cwd=find_app(APP).path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=LOAD_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loading {env} failed:\n{done.stderr[-2000:]}")


_SHARED: list[BenchDatabases] = []  # the run's PostgreSQL server and what it holds
_SHARED_SERVER = ExitStack()


def shared_with_postgres() -> BenchDatabases:
    """The one PostgreSQL server of this process (started at the first call)."""
    if not _SHARED:
        server = _SHARED_SERVER.enter_context(running_postgres())
        atexit.register(_SHARED_SERVER.close)
        _SHARED.append(BenchDatabases(server))
    return _SHARED[0]


@contextmanager
def bench_databases(kinds: Sequence[str]) -> Iterator[BenchDatabases]:
    check_kinds(kinds)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    yield shared_with_postgres() if "postgresql" in kinds else BenchDatabases(None)


def dashboard_subject(kind: str, env: dict[str, str]) -> subjects.Subject:
    """The dashboard on ``env``'s database, visited by an admin (every region)."""
    rows = int(env["DASHBOARD_ROWS"])
    return subjects.Subject(
        name=f"{APP} on {kind} ({rows:,} rows)",
        path=find_app(APP).path,
        user="bench",
        groups=("admins",),
        env={**env, "DASHBOARD_GROUPS": "admins", "DASHBOARD_SCOPES": "admins=*"},
    )
