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


@pytest.mark.parametrize("where", ["tcp", "socket"])
def test_no_one_gets_in_without_the_password(
    where: str, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loopback and the socket are shared by every local user: neither trusts anyone."""
    import psycopg

    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    host = "127.0.0.1" if where == "tcp" else str(postgres_server.folder)
    target = f"host={host} port={postgres_server.port} user=dashboard dbname=sales"
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(target, connect_timeout=10).close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(target + " password=guess", connect_timeout=10).close()
    with psycopg.connect(target + f" password={postgres_server.password}") as ok:
        assert ok.execute("select 1").fetchone() == (1,)
    assert postgres_server.password not in repr(postgres_server)
    assert postgres_server.password not in postgres_server.shown_url
