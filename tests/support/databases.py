"""Real databases for the tests: a session PostgreSQL server, and the group
dashboard's data loaded into DuckDB or PostgreSQL (``dashboard_database``).

No mock anywhere: PostgreSQL is the real server from Debian's ``postgresql``
package, started by ``scripts.runner.postgres``. When its binaries are missing the
tests that need it FAIL (they do not skip): CI installs the package.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.catalog import find_app
from scripts.runner.postgres import PostgresServer, PostgresUnavailable, running_postgres

# The PostgreSQL runs carry the ``postgres`` mark: ``-m "not postgres"`` leaves them out.
DATABASES = ("duckdb", pytest.param("postgresql", marks=pytest.mark.postgres))
_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as error:
        pytest.fail(f"{error} (CI installs it in .ci/run)", pytrace=False)


@contextmanager
def dashboard_modules() -> Iterator[Any]:
    """The group dashboard's own modules (its folder on sys.path, as on Connect)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(find_app("group-dashboard").path))
        from sales import (  # type: ignore[import-not-found]
            demo_data,
            filters,
            load,
            queries,
            settings,
            store,
        )

        yield SimpleNamespace(
            settings=settings,
            data=demo_data,
            filters=filters,
            load=load,
            queries=queries,
            store=store,
        )


def dashboard_database(
    kind: str, rows: int, folder: Path, request: pytest.FixtureRequest
) -> dict[str, str]:
    """A database holding ``rows`` demo rows; the app's environment that points at it."""
    if kind == "duckdb":
        env = {"DASHBOARD_DUCKDB": str(folder / f"sales-{next(_names)}.duckdb")}
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        env = {"DATABASE_URL": server.create_database(f"dashboard_{next(_names)}")}
    with dashboard_modules() as mods:
        settings = mods.settings.load_settings({**env, "DASHBOARD_ROWS": str(rows)})
        mods.load.load_demo(settings.database, rows)
    return {**env, "DASHBOARD_ROWS": str(rows)}
