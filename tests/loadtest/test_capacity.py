"""Capacity from ramp steps, Connect settings from it, and writing them, checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.catalog import AppInfo, find_app
from scripts.loadtest.capacity import Capacity, Limits, Measured
from scripts.loadtest.chart import draw_capacity
from scripts.loadtest.deploy_table import DeployTableError, with_settings, write_process_settings
from scripts.loadtest.replay import Summary

LIMITS = Limits(p95_ms=500, max_failure_ratio=0.01)


def step(users: int, p95: float, failures: int = 0, requests: int = 1000) -> Measured:
    measured = Measured(
        users, requests, failures, users * 5.0, {"page": p95, "callback": p95 / 2}, []
    )
    reasons = []
    if p95 > LIMITS.p95_ms:
        reasons.append("p95")
    if failures / requests > LIMITS.max_failure_ratio:
        reasons.append("failures")
    return Measured(**{**measured.__dict__, "past": reasons})


def ramp(*steps: Measured) -> Capacity:
    return Capacity("hello", LIMITS, 2.0, list(steps))


def test_the_last_step_within_the_limits_is_what_one_process_holds() -> None:
    capacity = ramp(step(1, 50), step(2, 80), step(4, 200), step(8, 900))
    assert capacity.visitors == 4
    # 200 ms at 4, 900 ms at 8: 500 ms is crossed 3/7 of the way
    assert capacity.interpolated() == pytest.approx(4 + 4 * 300 / 700)


def test_a_ramp_that_never_passed_the_limits_gives_a_floor() -> None:
    capacity = ramp(step(1, 50), step(2, 80))
    assert capacity.capped and capacity.visitors == 2
    assert capacity.to_json(peak=2)["at_least"] is True
    assert not ramp(step(1, 50), step(2, 900)).capped


def test_failures_end_the_ramp_at_the_step_before() -> None:
    capacity = ramp(step(1, 50), step(2, 80), step(4, 90, failures=20))
    assert capacity.visitors == 2
    assert capacity.interpolated() == 2.0


def test_connect_settings_follow_the_capacity_and_the_peak() -> None:
    capacity = ramp(step(1, 50), step(2, 100), step(4, 240), step(8, 400), step(16, 800))
    assert capacity.settings(peak=100) == {
        "max_conns_per_process": 8,
        "max_processes": 13,  # ceil(100 / 8)
        "min_processes": 13,  # warm for the peak
        "load_factor": 0.5,  # p95 under 250 ms up to 4 of 8
    }
    assert capacity.settings(peak=3)["max_processes"] == 1


def test_limits_say_why_a_step_is_past_them() -> None:
    row = {"requests": 50, "failures": 1, "p50": 10, "p99": 900}
    per_kind = {"page": {**row, "p95": 600}, "callback": {**row, "p95": 100}}
    summary = Summary(requests=100, failures=2, seconds=1.0, per_kind=per_kind)
    assert LIMITS.passed_by(summary) == ["page p95 600 ms > 500 ms", "2.0% failed > 1%"]
    calm = Summary(requests=100, failures=1, seconds=1.0, per_kind={"page": {**row, "p95": 90}})
    assert LIMITS.passed_by(calm) == []


DEPLOY = """[project]
name = "x"

[tool.monorepo.deploy]
title = "X app"
# how many processes
max_processes = 2

[tool.monorepo.smoke]
user = "a"
"""


def test_settings_replace_their_lines_and_add_the_others_in_the_table() -> None:
    text = with_settings(DEPLOY, {"max_processes": 4, "load_factor": 0.5}, "pyproject.toml")
    deploy = text.split("[tool.monorepo.deploy]")[1].split("[tool.monorepo.smoke]")[0]
    assert "max_processes = 4" in deploy and "max_processes = 2" not in text
    assert "load_factor = 0.5" in deploy
    assert "# how many processes" in deploy and text.endswith('user = "a"\n')


def test_a_table_is_needed() -> None:
    with pytest.raises(DeployTableError, match=r"no \[tool.monorepo.deploy\]"):
        with_settings('[project]\nname = "x"\n', {"max_processes": 1}, "pyproject.toml")


def test_settings_the_deploy_refuses_leave_the_file_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "apps" / "hello"
    shutil.copytree(find_app("hello").path, folder, ignore=shutil.ignore_patterns("loadtest"))
    app = AppInfo("hello", folder)
    before = (folder / "pyproject.toml").read_text()
    with pytest.raises(DeployTableError, match="load_factor"):
        write_process_settings(app, {"max_conns_per_process": 8, "load_factor": 3.0})
    assert (folder / "pyproject.toml").read_text() == before
    write_process_settings(app, {"max_conns_per_process": 8, "load_factor": 0.5})
    assert "max_conns_per_process = 8" in (folder / "pyproject.toml").read_text()


def test_the_chart_is_written(tmp_path: Path) -> None:
    capacity = ramp(step(1, 50), step(2, 80), step(4, 900))
    target = draw_capacity(capacity.to_json(peak=10), tmp_path / "capacity.png")
    assert target.read_bytes().startswith(b"\x89PNG")
