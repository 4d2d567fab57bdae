"""scripts/runner/postgres.py: a real throwaway server, and a clear error without binaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.runner.postgres import PostgresServer, PostgresUnavailable, find_bindir


def test_missing_binaries_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailable, match=r"apt-get install -y postgresql") as caught:
        find_bindir([tmp_path])
    assert str(tmp_path) in str(caught.value) and "PG_BINDIR" in str(caught.value)


def test_the_session_server_answers_and_makes_databases(postgres_server: PostgresServer) -> None:
    import sqlalchemy as sa

    url = postgres_server.create_database("probe_db")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("select current_database()")).scalar() == "probe_db"
            port = connection.execute(sa.text("show port")).scalar()
    finally:
        engine.dispose()
    assert int(str(port)) == postgres_server.port
    with pytest.raises(ValueError, match="expected letters, digits and _"):
        postgres_server.create_database("x; drop")
