"""Loading rows: the demo data (``make data``), and rows added later.

``python -m sales.load [--rows N] [--force]`` from the app folder (what
``make data`` runs) loads the deterministic demo rows into the database the
settings name (``DATABASE_URL``, else the DuckDB file) and builds the
rollups. The app calls ``ensure_demo_data`` at start-up: on DuckDB it loads
the file when it is missing, once, however many processes start together:
the first takes a file lock and the others wait for it, then find the file.

Writers never change what readers have open:

- DuckDB: a new version file is written (or copied, then appended to) beside
  the link, checkpointed and closed; then the link is swapped by one rename;
- PostgreSQL: one transaction (DDL included) under an advisory lock.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from sales.settings import Database, load_settings
from sales.store import create_engine, duckdb_engine
from sales.tables import DIMENSIONS, metadata, monthly_sales, rebuild_rollups, sales

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("day", *DIMENSIONS, "units", "revenue")
ADVISORY_LOCK = 0x5A1E5  # any constant: serialises loaders on one PostgreSQL database
COPY_BATCH_ROWS = 100_000
KEEP_VERSIONS = 2  # the current one, and the one a reader may have just opened


class MissingData(RuntimeError):
    """The configured PostgreSQL database has no sales tables."""


def _insert_frame(connection: sa.Connection, frame: pd.DataFrame) -> None:
    """Append order lines in bulk: DuckDB reads the frame, PostgreSQL takes a COPY."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "duckdb":
        driver.register("incoming", frame)  # type: ignore[union-attr]
        try:
            names = ", ".join(COLUMNS)  # constants: nothing from outside goes into the SQL
            connection.exec_driver_sql(f"INSERT INTO sales ({names}) SELECT {names} FROM incoming")
        finally:
            driver.unregister("incoming")  # type: ignore[union-attr]
        return
    statement = f"COPY sales ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for start in range(0, len(frame), COPY_BATCH_ROWS):
            batch = frame.iloc[start : start + COPY_BATCH_ROWS][list(COLUMNS)]
            copy.write(batch.to_csv(index=False, header=False))


def _insert_columns(connection: sa.Connection, columns: dict[str, Any]) -> None:
    """Append one chunk of numpy arrays into DuckDB: it reads them as they are,
    without pandas (a first start stays lighter), turning codes into names."""
    from sales.demo_data import FIRST_DAY, NAMES

    driver = connection.connection.driver_connection
    driver.register("incoming", columns)  # type: ignore[union-attr]
    try:
        # constants only: the names come in as parameters, nothing from outside
        names = ", ".join(f"${name}[{name} + 1]" for name in NAMES)
        connection.exec_driver_sql(
            f"INSERT INTO sales ({', '.join(COLUMNS)}) SELECT "
            f"CAST($first AS DATE) + CAST(day AS INTEGER), {names}, units, revenue FROM incoming",
            {"first": str(FIRST_DAY), **{name: list(values) for name, values in NAMES.items()}},
        )
    finally:
        driver.unregister("incoming")  # type: ignore[union-attr]


def _fill(connection: sa.Connection, rows: int) -> None:
    from sales.demo_data import as_frame, column_chunks  # numpy: only when loading

    metadata.drop_all(connection)
    metadata.create_all(connection)
    for columns in column_chunks(rows):
        if connection.dialect.name == "duckdb":
            _insert_columns(connection, columns)
        else:
            _insert_frame(connection, as_frame(columns))
    rebuild_rollups(connection)


@contextmanager
def _file_lock(link: Path) -> Iterator[None]:
    link.parent.mkdir(parents=True, exist_ok=True)
    with open(link.with_name(link.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _new_version(link: Path) -> Path:
    return link.with_name(f"{link.name}.v{time.time_ns()}")


def _publish(link: Path, version: Path) -> None:
    """Point the link at ``version`` in one rename, then drop old versions."""
    staging = link.with_name(f".{link.name}.{os.getpid()}.link")
    staging.unlink(missing_ok=True)
    staging.symlink_to(version.name)
    os.replace(staging, link)
    versions = sorted(link.parent.glob(f"{link.name}.v*"), key=lambda p: int(p.suffix[2:]))
    for old in versions[:-KEEP_VERSIONS]:
        old.unlink(missing_ok=True)


@contextmanager
def _writable_duckdb(link: Path, copy_current: bool) -> Iterator[sa.Connection]:
    """A new version file to write to; published when the block succeeds."""
    version = _new_version(link)
    if copy_current:
        shutil.copyfile(link.resolve(), version)
    engine = duckdb_engine(version, read_only=False)
    try:
        with engine.begin() as connection:
            yield connection
        with engine.connect() as connection:
            connection.exec_driver_sql("CHECKPOINT")
    except BaseException:
        engine.dispose()
        version.unlink(missing_ok=True)
        raise
    engine.dispose()
    _publish(link, version)


@contextmanager
def _postgres_transaction(database: Database) -> Iterator[sa.Connection]:
    engine = create_engine(database)
    try:
        with engine.begin() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK)))
            yield connection
    finally:
        engine.dispose()


def load_demo(database: Database, rows: int, *, force: bool = False) -> bool:
    """Load ``rows`` demo order lines unless data is there; True when it loaded."""
    if database.duckdb_file is not None:
        link = database.duckdb_file
        with _file_lock(link):
            if link.exists() and not force:
                return False
            with _writable_duckdb(link, copy_current=False) as connection:
                _fill(connection, rows)
        return True
    with _postgres_transaction(database) as connection:
        if sa.inspect(connection).has_table(monthly_sales.name) and not force:
            return False
        _fill(connection, rows)
    return True


def add_sales(database: Database, frame: pd.DataFrame) -> None:
    """Append order lines and bring the rollups up to date, as one change."""
    first: date = frame["day"].min()
    if hasattr(first, "date"):
        first = first.date()
    if database.duckdb_file is not None:
        with (
            _file_lock(database.duckdb_file),
            _writable_duckdb(database.duckdb_file, copy_current=True) as connection,
        ):
            _insert_frame(connection, frame)
            rebuild_rollups(connection, first)
        return
    with _postgres_transaction(database) as connection:
        _insert_frame(connection, frame)
        rebuild_rollups(connection, first)


def ensure_demo_data(database: Database, rows: int) -> None:
    """At start-up: the DuckDB file is built when missing; PostgreSQL must have data."""
    if database.duckdb_file is not None:
        if not database.duckdb_file.exists() and load_demo(database, rows):
            print(f"loaded {rows:,} demo rows into {database.describe()}", file=sys.stderr)
        return
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            present = sa.inspect(connection).has_table(monthly_sales.name)
    finally:
        engine.dispose()
    if not present:
        raise MissingData(
            f"DATABASE_URL points at {database.describe()}, which has no {sales.name} "
            f"tables; load the demo data with `make data DATABASE_URL=...`, or create "
            f"the tables of sales/tables.py from your own data"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="order lines (default: DASHBOARD_ROWS)")
    parser.add_argument("--force", action="store_true", help="replace data already there")
    args = parser.parse_args(argv)
    settings = load_settings(os.environ)
    rows = args.rows or settings.rows
    started = time.monotonic()
    if load_demo(settings.database, rows, force=args.force):
        print(
            f"loaded {rows:,} rows into {settings.database.describe()} "
            f"in {time.monotonic() - started:.1f} s"
        )
    else:
        print(f"{settings.database.describe()} already has data (--force replaces it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
