"""The one seam into Dash's private code (``reports.dash_job_fn``) still holds:
the Dash it was written for, and the contract the embedded manager relies on."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import dash
import pytest
from dash.exceptions import PreventUpdate


@pytest.fixture
def seam(reports: SimpleNamespace) -> Any:
    from reports import dash_job_fn  # type: ignore[import-not-found]

    return dash_job_fn


class Recorder:
    """Only ``set``: what the seam promises a job writes through."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, Any]] = []

    def set(self, key: str, value: Any) -> None:
        self.writes.append((key, value))


def test_written_for_the_installed_dash(seam: Any) -> None:
    assert dash.__version__ == seam.WRITTEN_FOR, (
        f"Dash is {dash.__version__}; reports/dash_job_fn.py was written for "
        f"{seam.WRITTEN_FOR}. Re-read dash/background_callback/managers/diskcache_manager.py "
        "(_make_job_fn), check the contract in that module's docstring, then update "
        "WRITTEN_FOR and this test."
    )


def test_dashs_private_function_has_the_signature_relied_on() -> None:
    from dash.background_callback.managers.diskcache_manager import _make_job_fn

    assert list(inspect.signature(_make_job_fn).parameters) == ["fn", "cache", "progress"]


def test_the_job_writes_progress_and_result_through_set(seam: Any) -> None:
    def add(set_progress: Any, a: int, b: int) -> int:
        set_progress((1, "half"))
        return a + b

    cache = Recorder()
    job = seam.disk_job_fn(add, cache, True)
    assert list(inspect.signature(job).parameters) == [
        "result_key",
        "progress_key",
        "user_callback_args",
        "context",
    ]
    job("result", "result-progress", [2, 3], {"custom_data": {}})
    assert cache.writes == [("result-progress", (1, "half")), ("result", 5)]


def test_without_progress_no_setter_is_passed(seam: Any) -> None:
    cache = Recorder()
    seam.disk_job_fn(lambda a: a * 2, cache, False)("r", "r-progress", [4], {})
    assert cache.writes == [("r", 8)]


def test_an_error_and_a_prevented_update_are_written_as_dash_reads_them(seam: Any) -> None:
    def fails() -> None:
        raise RuntimeError("boom")

    def prevented() -> None:
        raise PreventUpdate

    cache = Recorder()
    seam.disk_job_fn(fails, cache, False)("r1", "p1", [], {})
    seam.disk_job_fn(prevented, cache, False)("r2", "p2", [], {})
    (key1, error), (key2, nothing) = cache.writes
    assert key1 == "r1" and error["background_callback_error"]["msg"] == "boom"
    assert key2 == "r2" and nothing == {"_dash_no_update": "_dash_no_update"}
