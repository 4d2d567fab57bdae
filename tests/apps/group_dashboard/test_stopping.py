"""A dashboard process stopped while it builds its demo data says so in one line.

On Connect (and the stand-in) a process is stopped while it may still be on its
first start: a redeploy activates another one, an idle timeout ends it. The
stop interrupts DuckDB's running statement; printed as a traceback, that reads
as a crash in the content's log, which the smoke check (rightly) fails on. A
real DuckDB statement is interrupted here, as a signal would.
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import pytest
import sqlalchemy.exc

from tests.support.apps import import_app

SLOW_STATEMENT = "SELECT count(*) FROM range(100000000000) a"


def real_interrupt() -> BaseException:
    """The exception DuckDB raises when its running statement is interrupted."""
    connection = duckdb.connect()
    caught: list[BaseException] = []

    def run() -> None:
        try:
            connection.execute(SLOW_STATEMENT)
        except BaseException as error:
            caught.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    while worker.is_alive():  # interrupt until the statement notices (it may not have begun)
        connection.interrupt()
        worker.join(timeout=0.05)
    assert caught, "the statement ended without being interrupted"
    return caught[0]


@pytest.fixture
def app_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setenv("DASHBOARD_GROUPS", "admins")
    monkeypatch.setenv("DASHBOARD_DUCKDB", str(tmp_path / "sales.duckdb"))
    return import_app("group-dashboard", monkeypatch)


def test_an_interrupted_load_is_one_line_not_a_traceback(
    app_module: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt = real_interrupt()
    assert type(interrupt).__name__ == "InterruptException"
    wrapped = sqlalchemy.exc.DatabaseError("INSERT ...", {}, interrupt)  # type: ignore[arg-type]

    def loading(*_: Any) -> None:
        try:
            raise wrapped
        except sqlalchemy.exc.DatabaseError as error:  # the clean-up fails after it, as seen
            raise RuntimeError("Current transaction is aborted") from error

    monkeypatch.setattr("sales.load.ensure_demo_data", loading)
    backend = app_module.Backend(app_module.load_settings({"DASHBOARD_GROUPS": "admins"}))
    backend._start(backend.settings)
    err = capsys.readouterr().err
    assert err == "demo data: interrupted, the process is stopping\n"
    with pytest.raises(RuntimeError, match="not usable"):
        backend.queries()


def test_any_other_failure_keeps_its_traceback(
    app_module: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("sales.load.ensure_demo_data", broken)
    backend = app_module.Backend(app_module.load_settings({"DASHBOARD_GROUPS": "admins"}))
    backend._start(backend.settings)
    err = capsys.readouterr().err
    assert "Traceback" in err and "OSError: disk full" in err
