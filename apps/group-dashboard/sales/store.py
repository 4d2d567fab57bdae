"""Where the dashboard reads its rows: one SQLAlchemy engine per process.

Two databases, one code path:

- by default an embedded DuckDB file (no server, nothing to configure). The
  file is a symlink to a versioned file: a new version (more rows, a reload)
  is written beside it and the link swapped atomically (``sales.load``), and
  readers follow the link on every checkout, so they switch without a restart
  and never see a half-written file. Every process opens it read-only, which
  DuckDB allows from many processes at once;
- PostgreSQL through psycopg 3 when ``DATABASE_URL`` is set (on Connect, a
  content environment variable, so the password never enters the bundle).

The engine's pool is shared by all the callbacks of a process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from sales.settings import Database


def create_engine(database: Database, *, read_only: bool = True) -> sa.Engine:
    """A pooled engine: read-only for the app's processes, writable for the loader."""
    if database.url is not None:
        return sa.create_engine(
            sa.make_url(database.url),
            pool_size=4,
            max_overflow=8,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
    assert database.duckdb_file is not None
    return duckdb_engine(database.duckdb_file.resolve(), read_only=read_only)


# A writer's working memory: loading and rolling up spill to disk past it, so a
# first start's build stays within the memory a small Connect process has (40 MB
# runs out); one thread holds less and was no slower on 2 CPUs.
WRITER_LIMITS = {"memory_limit": "64MB", "threads": 1}


def duckdb_engine(version_file: Path, *, read_only: bool) -> sa.Engine:
    limits = {} if read_only else {"config": WRITER_LIMITS}
    return sa.create_engine(
        f"duckdb:///{version_file}",
        connect_args={"read_only": read_only, **limits},
        poolclass=sa.pool.QueuePool,
        pool_size=4,
        max_overflow=8,
    )


class SalesStore:
    """Connections for the process's callbacks; on DuckDB, to the newest version."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._version: Path | None = None
        self._engine: sa.Engine | None = None

    def engine(self) -> sa.Engine:
        file = self.database.duckdb_file
        version = Path(os.path.realpath(file)) if file is not None else None
        with self._lock:
            if self._engine is None or version != self._version:
                old, self._version = self._engine, version
                self._engine = (
                    create_engine(self.database)
                    if version is None
                    else duckdb_engine(version, read_only=True)
                )
                if old is not None:
                    old.dispose()  # checked-out connections close when returned
            return self._engine

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        with self.engine().connect() as connection:
            yield connection

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
