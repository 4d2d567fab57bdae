"""The job's body, called directly: the gate and the scope come from the visitor,
a forged region is dropped, progress moves step by step, the CSV matches."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from connectkit import Visitor

EMEA = Visitor("erin", ("sales-emea",))
ADMIN = Visitor("root", ("admins",))
EVERY_REGION = ["EMEA", "AMER", "APAC"]


def run_job(reports: SimpleNamespace, visitor: Visitor, values: tuple[Any, ...]) -> Any:
    settings = reports.settings.load_settings({"REPORT_JOB_SECONDS": "1"})
    steps: list[tuple[int, str]] = []
    outcome = reports.job.build_report(settings, visitor, values, steps.append)
    return outcome, steps


def test_a_forged_region_is_dropped_not_added(reports: SimpleNamespace) -> None:
    outcome, _ = run_job(reports, EMEA, (EVERY_REGION, ["Hardware"], 3, 1000))
    assert outcome["status"] == "done"
    assert {row["region"] for row in outcome["rows"]} == {"EMEA"}
    assert outcome["request"]["regions"] == ["EMEA"]


def test_an_admin_gets_every_region_asked_for(reports: SimpleNamespace) -> None:
    outcome, _ = run_job(reports, ADMIN, (EVERY_REGION, ["Hardware"], 3, 1000))
    assert [row["region"] for row in outcome["rows"]] == EVERY_REGION


@pytest.mark.parametrize(
    "visitor", [Visitor(), Visitor("mallory", ("marketing",)), Visitor("eve", ("SALES-EMEA",))]
)
def test_outside_the_gate_nothing_is_computed(reports: SimpleNamespace, visitor: Visitor) -> None:
    outcome, steps = run_job(reports, visitor, (EVERY_REGION, ["Hardware"], 3, 1000))
    assert outcome["status"] == "refused" and steps == []


@pytest.mark.parametrize(
    "values",
    [
        ([], ["Hardware"], 3, 1000),
        (["APAC"], ["Hardware"], 3, 1000),  # a region outside the scope only
        (["EMEA"], ["Hats"], 3, 1000),
        (["EMEA"], None, 3, 1000),
    ],
)
def test_nothing_in_scope_builds_nothing(reports: SimpleNamespace, values: tuple[Any, ...]) -> None:
    outcome, steps = run_job(reports, EMEA, values)
    assert outcome["status"] == "empty" and steps == []


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ((["EMEA"], ["Hardware"], 3.0, 1000), "Months ahead must be a whole number; got 3.0."),
        ((["EMEA"], ["Hardware"], 3, 1000.0), "Simulated paths must be a whole number"),
        ((["EMEA"], ["Hardware"], True, 1000), "Months ahead must be a whole number; got True."),
        ((["EMEA"], ["Hardware"], "3", 1000), "Months ahead must be a whole number; got '3'."),
        (("EMEA", ["Hardware"], 3, 1000), "Regions must be a list of choices; got 'EMEA'."),
        (([["EMEA"]], ["Hardware"], 3, 1000), "Regions must hold only names; got ['EMEA']."),
        ((["EMEA"], ["Hardware"] * 5000, 3, 1000), "Product lines has 5,000 choices; at most 100."),
    ],
)
def test_a_wrong_type_is_refused_with_a_sentence(
    reports: SimpleNamespace, values: tuple[Any, ...], sentence: str
) -> None:
    outcome, steps = run_job(reports, EMEA, values)
    assert outcome["status"] == "invalid" and steps == []
    assert outcome["reason"].startswith(sentence)


@pytest.mark.parametrize(
    "outcome",
    [
        {"status": "done"},
        {"status": "done", "request": {"regions": 3}, "visitor": "x", "rows": "x"},
        {"status": "done", "request": [], "rows": [{"region": "EMEA"}]},
        {"status": ["done"]},
    ],
)
def test_a_forged_outcome_is_shown_as_unexpected(
    reports: SimpleNamespace, outcome: dict[str, Any]
) -> None:
    from reports.views import download_of, show_outcome  # type: ignore[import-not-found]

    status, table, download_disabled = show_outcome(outcome)
    assert "Unexpected outcome" in str(status) and table is None and download_disabled
    assert download_of(outcome) is None


def test_progress_moves_every_step_to_the_end(reports: SimpleNamespace) -> None:
    _, steps = run_job(reports, EMEA, (["EMEA"], ["Hardware"], 3, 1000))
    total = reports.forecast.STEPS
    assert [done for done, _ in steps] == list(range(total + 1))
    assert steps[-1][1] == f"100% ({total} of {total} steps)"


def test_unknown_horizon_and_paths_take_the_smallest(reports: SimpleNamespace) -> None:
    request = reports.forecast.ReportRequest.checked(
        ["EMEA"], ["Hardware"], 10**9, -5, allowed_regions=["EMEA"]
    )
    assert (request.horizon, request.paths) == (3, 1000)


def test_the_csv_holds_the_rows(reports: SimpleNamespace) -> None:
    outcome, _ = run_job(reports, ADMIN, (EVERY_REGION, ["Software", "Support"], 6, 1000))
    lines = outcome["csv"].splitlines()
    assert lines[0] == "region,product_line,last_year_k,p10_k,median_k,p90_k"
    assert len(lines) == 1 + 3 * 2
    for line, row in zip(lines[1:], outcome["rows"], strict=True):
        assert line.split(",")[:2] == [row["region"], row["line"]]
        assert float(line.split(",")[3]) <= float(line.split(",")[4]) <= float(line.split(",")[5])


def test_the_same_request_gives_the_same_forecast(reports: SimpleNamespace) -> None:
    first, _ = run_job(reports, EMEA, (["EMEA"], ["Hardware"], 6, 5000))
    again, _ = run_job(reports, ADMIN, (["EMEA"], ["Hardware"], 6, 5000))
    assert first["rows"] == again["rows"]


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("REPORT_JOB_SECONDS", "0", "REPORT_JOB_SECONDS is '0'"),
        ("REPORT_JOB_SECONDS", "soon", "REPORT_JOB_SECONDS is 'soon'"),
        ("REPORT_LOST_AFTER_S", "-1", "REPORT_LOST_AFTER_S is '-1'"),
        ("REDIS_URL", "http://:s3cret@cache:6379", "REDIS_URL is 'cache:6379'"),
        ("REPORT_SCOPES", "sales-emea=MARS", "REPORT_SCOPES names unknown values"),
    ],
)
def test_a_bad_setting_names_itself(
    reports: SimpleNamespace, name: str, value: str, shown: str
) -> None:
    with pytest.raises(ValueError) as error:
        reports.settings.load_settings({name: value})
    assert shown in str(error.value)
    assert "s3cret" not in str(error.value)


def test_importing_the_app_leaves_no_file(tmp_path: Any) -> None:
    """As the bundle's import check does it: a file made at import would ship in the bundle."""
    import shutil

    from scripts.catalog import find_app
    from scripts.checks.app_import import check_import

    folder = tmp_path / "report-builder"
    shutil.copytree(find_app("report-builder").path, folder, ignore=shutil.ignore_patterns("cache"))
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    check_import(folder)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
