"""The dashboard's settings: who may open it, which regions each group sees,
where the rows live and how fresh they must be.

Defaults live here; environment variables override them, so a deploy on
Connect changes them without a code change:

- ``DASHBOARD_GROUPS``: comma-separated group names or GUIDs that may open
  the app. Default: every group with a scope below. Set but empty: nobody.
- ``DASHBOARD_SCOPES``: ``group=REGION[,REGION]; ...`` (``*`` = every region).
- ``DATABASE_URL``: a PostgreSQL database to read (``postgresql://...``).
  Unset: the embedded DuckDB file ``DASHBOARD_DUCKDB``.
- ``DASHBOARD_DUCKDB``: that file (default ``cache/sales-v2-<rows>.duckdb`` in
  the app folder, built from the demo data on first start when missing).
- ``DASHBOARD_ROWS``: size of the demo dataset (default a million).
- ``DASHBOARD_REFRESH_S``: how long a query result may be reused before the
  database is asked again (default 60 s): new rows show up within it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from connectkit import access_from_environ, read_number, read_whole_number

from sales.scope import REGIONS

GROUPS_SETTING = "DASHBOARD_GROUPS"
SCOPES_SETTING = "DASHBOARD_SCOPES"
ROWS_SETTING = "DASHBOARD_ROWS"
DUCKDB_SETTING = "DASHBOARD_DUCKDB"
REFRESH_SETTING = "DASHBOARD_REFRESH_S"
DATABASE_URL_SETTING = "DATABASE_URL"
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
DEFAULT_SCOPES = "sales-emea=EMEA; sales-amer=AMER; sales-apac=APAC; admins=*"
DEFAULT_ROWS = 1_000_000
DEFAULT_REFRESH_S = 60.0
APP_DIR = Path(__file__).resolve().parent.parent  # the app folder, above this package
# Inside the app folder, so it is found on Connect too (the bundle folder is
# the working directory there); `cache/` is kept out of bundles and git.
CACHE_DIR = APP_DIR / "cache"
DEMO_VERSION = 2  # bump when sales/demo_data.py changes: the cached files are then rebuilt


@dataclass(frozen=True)
class Database:
    """A database to read from: a PostgreSQL URL, or the embedded DuckDB file."""

    url: str | None = None  # PostgreSQL, for psycopg 3 (postgresql+psycopg://...)
    duckdb_file: Path | None = None  # the link readers follow

    @property
    def kind(self) -> str:
        return "postgresql" if self.url is not None else "duckdb"

    def describe(self) -> str:
        """For messages: never the password."""
        if self.url is None:
            return f"DuckDB file {self.duckdb_file}"
        parts = urlsplit(self.url)
        return (
            f"PostgreSQL database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port or 5432}"
        )


def shown_url(raw: str) -> str:
    """A database URL for a message (the rule for every one printed or raised): no password.

    SQLAlchemy renders what it parses (``render_as_string(hide_password=True)``).
    A URL with several "@" is cut after the last one, where urllib ends the
    password: SQLAlchemy cuts at the first, so the password's tail would show.
    """
    if raw.count("@") == 1:
        from sqlalchemy.engine import make_url  # on error paths only: not at start-up

        try:
            return make_url(raw.strip()).render_as_string(hide_password=True)
        except Exception:  # unparsable: cut below, as for several "@"
            pass
    return raw.rsplit("@", 1)[-1]


def postgres_url(raw: str, setting: str = DATABASE_URL_SETTING) -> str:
    """``postgres://user:password@host:port/db`` as a psycopg 3 URL; else a clear error."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in POSTGRES_SCHEMES or not parts.hostname or len(parts.path) < 2:
        shown = raw.split("@")[-1] if "@" in raw else raw  # never print a password
        raise ValueError(
            f"{setting} is {shown!r}; expected a PostgreSQL URL such as "
            f"postgresql://USER:PASSWORD@HOST:5432/DATABASE, or unset it for the "
            f"embedded DuckDB file"
        )
    if "@" in f"{parts.username}{parts.password}":  # the driver would read part of it as the host
        raise ValueError(
            f"{setting} ({shown_url(raw)!r}): the user name or password holds an '@'; "
            "write it as %40"
        )
    try:
        parts.port  # noqa: B018 (urllib checks the port when it is read)
    except ValueError:
        raise ValueError(
            f"{setting} is {shown_url(raw)!r}; its port is not a number from 1 to 65535"
        ) from None
    return parts._replace(scheme="postgresql+psycopg").geturl()


@dataclass(frozen=True)
class DashboardSettings:
    allowed_groups: tuple[str, ...]
    scope_grants: dict[str, set[str]] = field(default_factory=dict)
    rows: int = DEFAULT_ROWS
    database: Database = field(default_factory=Database)
    refresh_s: float = DEFAULT_REFRESH_S


def database_from_environ(environ: Mapping[str, str], rows: int) -> Database:
    if environ.get(DATABASE_URL_SETTING, "").strip():
        return Database(url=postgres_url(environ[DATABASE_URL_SETTING]))
    raw = environ.get(DUCKDB_SETTING, "").strip()
    path = Path(raw).expanduser() if raw else CACHE_DIR / f"sales-v{DEMO_VERSION}-{rows}.duckdb"
    return Database(duckdb_file=path if path.is_absolute() else APP_DIR / path)


def load_settings(environ: Mapping[str, str] = os.environ) -> DashboardSettings:
    """Read the settings; an unusable value is an error that names it."""
    allowed, grants = access_from_environ(
        environ,
        groups_setting=GROUPS_SETTING,
        scopes_setting=SCOPES_SETTING,
        default_scopes=DEFAULT_SCOPES,
        known=REGIONS,
    )
    rows = read_whole_number(environ, ROWS_SETTING, default=DEFAULT_ROWS, unit="rows")
    return DashboardSettings(
        allowed_groups=allowed,
        scope_grants=grants,
        rows=rows,
        database=database_from_environ(environ, rows),
        refresh_s=read_number(
            environ,
            REFRESH_SETTING,
            default=DEFAULT_REFRESH_S,
            low=0,
            high=86_400,
            unit="seconds",
            hint="0 asks the database on every change of filters",
        ),
    )
