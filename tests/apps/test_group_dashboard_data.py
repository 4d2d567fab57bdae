"""The group dashboard's data, queries and settings, checked against pandas."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.catalog import find_app


@pytest.fixture(scope="module")
def mods() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(find_app("group-dashboard").path))
        import dashboard_settings
        import sales_data
        import sales_queries

        yield SimpleNamespace(data=sales_data, queries=sales_queries, settings=dashboard_settings)


@pytest.fixture(scope="module")
def rows(mods: Any) -> Any:
    return mods.data.generate_sales(40_000)


def test_data_is_deterministic_and_complete(mods: Any, rows: Any) -> None:
    again = mods.data.generate_sales(40_000)
    assert rows.equals(again)
    assert list(rows.columns) == [
        "date", "region", "country", "product", "channel", "units", "revenue"
    ]  # fmt: skip
    assert set(rows["region"].unique()) == set(mods.data.REGIONS)
    assert mods.data.CANARY_PRODUCT in set(rows["product"])
    assert rows["date"].min().year == 2021 and rows["date"].max().year == 2024
    assert (rows["units"] > 0).all() and (rows["revenue"] > 0).all()
    assert (
        rows["country"].map(mods.data.REGION_OF).astype(str) == rows["region"].astype(str)
    ).all()


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 1_000_000), ("", 1_000_000), ("2_000_000", 2_000_000), ("5", 5)]
)
def test_rows_setting(mods: Any, raw: str | None, expected: int) -> None:
    environ = {} if raw is None else {"DASHBOARD_ROWS": raw}
    assert mods.data.rows_from_environ(environ) == expected


@pytest.mark.parametrize("raw", ["many", "-3", "0", "1e6"])
def test_bad_rows_setting_is_a_clear_error(mods: Any, raw: str) -> None:
    with pytest.raises(ValueError, match=r"DASHBOARD_ROWS is .*expected a positive whole number"):
        mods.data.rows_from_environ({"DASHBOARD_ROWS": raw})


CASES = [
    ("EMEA only, everything", ("EMEA",), {}),
    ("all regions, filtered", ("EMEA", "AMER", "APAC"), {
        "start": "2022-02-10", "end": "2023-07-31", "products": ["Atlas", "Flux"],
        "channels": ["Online"], "countries": None}),
    ("AMER with a foreign country asked", ("AMER",), {"countries": ["Canada", "Japan"]}),
    ("APAC, only foreign countries asked", ("APAC",), {"countries": ["Germany"]}),
    ("no scope", (), {}),
    ("end before start", ("EMEA",), {"start": "2023-01-01", "end": "2022-01-01"}),
]  # fmt: skip


@pytest.mark.parametrize(("regions", "picked"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_summary_matches_pandas(
    mods: Any, rows: Any, regions: tuple[str, ...], picked: dict[str, Any]
) -> None:
    q = mods.queries
    queries = q.SalesQueries(rows)
    scope = q.countries_in(regions)
    filters = q.Filters.from_inputs(
        picked.get("start"), picked.get("end"), picked.get("products"),
        picked.get("channels"), picked.get("countries"),
    )  # fmt: skip
    summary = queries.summary(scope, filters)

    mask = rows["country"].isin(scope)
    if filters.countries:
        mask &= rows["country"].isin(filters.countries)
    if filters.products:
        mask &= rows["product"].isin(filters.products)
    if filters.channels:
        mask &= rows["channel"].isin(filters.channels)
    if filters.start:
        mask &= rows["date"] >= str(filters.start)
    if filters.end:
        mask &= rows["date"] <= str(filters.end)
    expected = rows[mask]

    assert summary.orders == len(expected)
    assert summary.units == int(expected["units"].sum())
    assert summary.revenue == pytest.approx(expected["revenue"].sum(), abs=0.01)
    assert sum(summary.revenue_by_month) == pytest.approx(summary.revenue, abs=0.5)
    by_country = dict(summary.revenue_by_country)
    assert set(by_country) <= set(scope)
    assert {c for c, *_ in summary.top} <= set(expected["country"])
    if len(expected):
        truth = expected.groupby("country", observed=True)["revenue"].sum()
        for country, value in truth.items():
            assert by_country[country] == pytest.approx(value, abs=0.01)
        top = expected.groupby(["country", "product"], observed=True)["revenue"].sum()
        assert summary.top[0][2] == pytest.approx(top.max(), abs=0.01)


def test_forged_filter_values_are_harmless(mods: Any) -> None:
    q = mods.queries
    filters = q.Filters.from_inputs("not-a-date", 17, {"a": 1}, [None, 3], "Germany")  # type: ignore[arg-type]
    assert filters == q.Filters(countries=("Germany",))
    assert q.Filters.from_inputs("2022-03-04T10:00:00", None, None, None, None).start == date(
        2022, 3, 4
    )


def test_settings_defaults_and_overrides(mods: Any) -> None:
    s = mods.settings
    default = s.load_settings({})
    assert default.allowed_groups == ("sales-emea", "sales-amer", "sales-apac", "admins")
    assert default.scope_grants["admins"] == {"*"}
    custom = s.load_settings(
        {
            "DASHBOARD_GROUPS": " g-1 ,admins",
            "DASHBOARD_SCOPES": "g-1=EMEA,APAC",
            "DASHBOARD_ROWS": "10",
        }
    )
    assert custom.allowed_groups == ("g-1", "admins")
    assert custom.scope_grants == {"g-1": {"EMEA", "APAC"}}
    assert custom.rows == 10
    assert s.load_settings({"DASHBOARD_GROUPS": ""}).allowed_groups == ()


def test_bad_scopes_setting_is_refused(mods: Any) -> None:
    with pytest.raises(ValueError, match="DASHBOARD_SCOPES names unknown values"):
        mods.settings.load_settings({"DASHBOARD_SCOPES": "sales=EMEA,Atlantis"})
