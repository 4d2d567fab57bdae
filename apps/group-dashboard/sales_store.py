"""Where the dashboard reads its rows: one SQLAlchemy engine per process.

Two databases, one code path:

- by default an embedded DuckDB file (no server, nothing to configure). The
  file is a symlink to a versioned file: a new version (more rows, a reload)
  is written beside it and the link swapped atomically (``sales_load``), and
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
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

DATABASE_URL_SETTING = "DATABASE_URL"
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")


@dataclass(frozen=True)
class Database:
    """A database to read from: a PostgreSQL URL, or the embedded DuckDB file."""

    url: sa.URL | None = None  # PostgreSQL, from DATABASE_URL
    duckdb_file: Path | None = None  # the link readers follow

    @property
    def kind(self) -> str:
        return "postgresql" if self.url is not None else "duckdb"

    def describe(self) -> str:
        if self.url is not None:
            return self.url.render_as_string(hide_password=True)
        return f"DuckDB file {self.duckdb_file}"


def postgres_url(raw: str, setting: str = DATABASE_URL_SETTING) -> sa.URL:
    """``postgres://user:password@host:port/db`` as a psycopg 3 URL; else a clear error."""
    try:
        url = sa.make_url(raw.strip())
    except sa.exc.ArgumentError:
        url = None
    if url is None or url.drivername not in POSTGRES_SCHEMES:
        shown = raw.split("@")[-1] if "@" in raw else raw  # never print a password
        raise ValueError(
            f"{setting} is {shown!r}; expected a PostgreSQL URL such as "
            f"postgresql://USER:PASSWORD@HOST:5432/DATABASE, or unset it for the "
            f"embedded DuckDB file"
        )
    return url.set(drivername="postgresql+psycopg")


def create_engine(database: Database, *, read_only: bool = True) -> sa.Engine:
    """A pooled engine: read-only for the app's processes, writable for the loader."""
    if database.url is not None:
        return sa.create_engine(
            database.url, pool_size=4, max_overflow=8, pool_pre_ping=True, pool_recycle=1800
        )
    assert database.duckdb_file is not None
    return duckdb_engine(database.duckdb_file.resolve(), read_only=read_only)


def duckdb_engine(version_file: Path, *, read_only: bool) -> sa.Engine:
    return sa.create_engine(
        f"duckdb:///{version_file}",
        connect_args={"read_only": read_only},
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
