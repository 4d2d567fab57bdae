"""Time to first data and first start: the floor runs the dashboard's own first query,
rounds alternate and drop the warm-up, the RSS sampler sees the process tree."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.perf.bench import first_data, first_data_page, first_start, subjects
from tests.support.databases import DATABASES, dashboard_database, dashboard_modules

ROWS = 3_000


def import_floor(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Any:
    for key in ("DATABASE_URL", "DASHBOARD_DUCKDB"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = subjects.baseline(first_data.FLOOR).path / "app.py"
    spec = importlib.util.spec_from_file_location("_first_data_floor", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "_first_data_floor", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind", DATABASES)
def test_the_floor_draws_what_the_dashboard_draws_first(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = dashboard_database(kind, ROWS, tmp_path, request)
    floor = import_floor(monkeypatch, env)
    try:
        drawn = floor.layout().figure["data"][0]
    finally:
        floor.ENGINE.dispose()
    with dashboard_modules() as mods:
        settings = mods.settings.load_settings(env)
        store = mods.store.SalesStore(settings.database)
        try:
            queries = mods.queries.SalesQueries(store, 0)
            regions = ("EMEA", "AMER", "APAC")
            choices = queries.choices(regions)
            everything = mods.filters.Filters.checked(choices, None, None, None, None, None)
            summary = queries.summary(regions, everything)
        finally:
            store.close()
    assert drawn["x"] == list(summary.months)
    assert drawn["y"] == pytest.approx(list(summary.revenue_by_month))


def test_rounds_alternate_the_order_and_drop_the_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = (subjects.Subject(name, Path(name)) for name in ("app", "floor"))
    calls: list[str] = []

    def fake_visit(driver: Any, subject: subjects.Subject) -> tuple[float, float]:
        calls.append(subject.name)
        return float(len(calls)), 10.0 * len(calls)

    monkeypatch.setattr(first_data, "visit", fake_visit)
    ours, floor = first_data.rounds(None, (a, b), runs=2)  # type: ignore[arg-type]
    assert calls == ["app", "floor", "floor", "app", "app", "floor"]  # warm-up first
    assert (ours.spawn, floor.spawn) == ([4.0, 5.0], [3.0, 6.0])
    assert ours.warm == [40.0, 50.0]


def test_first_data_counts_from_a_moment_in_epoch_seconds() -> None:
    seen = first_data_page.FirstData(epoch_ms=10_500.0, since_nav_ms=300.0)
    assert seen.since(10.0) == 500.0


def test_sampling_sees_the_peak_of_a_live_tree() -> None:
    with first_start.sampling(os.getpid()) as peak:
        buffer = bytearray(64 * 1024 * 1024)  # 64 MB touched while sampled
        buffer[::4096] = b"x" * len(buffer[::4096])
        while peak.mb == 0.0:
            peak.stop.wait(first_start.SAMPLE_S)
    assert peak.mb >= 64
    del buffer
