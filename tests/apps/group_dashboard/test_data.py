"""The group dashboard's data layer on both databases, checked against pandas:
summaries, the choices a scope offers, checked filters, the CSV export, fresh
rows within the refresh time, and the settings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import find_app
from tests.support.databases import DATABASES, dashboard_database, dashboard_modules

ROWS = 40_000


@pytest.fixture(scope="module")
def mods() -> Iterator[Any]:
    with dashboard_modules() as modules:
        yield modules


@pytest.fixture(scope="module")
def rows(mods: Any) -> Any:
    return mods.data.generate_sales(ROWS)


@pytest.fixture(scope="module", params=DATABASES)
def database(request: pytest.FixtureRequest, mods: Any, tmp_path_factory: Any) -> Any:
    env = dashboard_database(request.param, ROWS, tmp_path_factory.mktemp("db"), request)
    return mods.settings.load_settings(env).database


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def queries_on(mods: Any) -> Iterator[Any]:
    """``queries_on(database, refresh_s, clock)``: SalesQueries whose pool closes after the test."""
    stores: list[Any] = []

    def make(database: Any, refresh_s: float = 60, clock: Any = None) -> Any:
        stores.append(mods.store.SalesStore(database))
        extra = {"clock": clock} if clock else {}
        return mods.queries.SalesQueries(stores[-1], refresh_s, **extra)

    yield make
    for store in stores:
        store.close()


def test_data_is_deterministic_and_complete(mods: Any, rows: Any) -> None:
    again = mods.data.generate_sales(ROWS)
    assert rows.equals(again)
    assert list(rows.columns) == [
        "day", "region", "country", "product", "channel", "units", "revenue"
    ]  # fmt: skip
    assert set(rows["region"].unique()) == set(mods.data.REGIONS)
    assert rows["day"].min().year == 2021 and rows["day"].max().year == 2024
    assert (rows["units"] > 0).all() and (rows["revenue"] > 0).all()
    assert (
        rows["country"].map(mods.data.REGION_OF).astype(str) == rows["region"].astype(str)
    ).all()


def test_chunks_are_what_a_single_frame_holds(mods: Any) -> None:
    chunks = list(mods.data.sales_chunks(2_500, seed=7))
    assert sum(len(c) for c in chunks) == 2_500
    big = list(mods.data.sales_chunks(mods.data.CHUNK_ROWS + 10))
    assert [len(c) for c in big] == [mods.data.CHUNK_ROWS, 10]


CASES = [
    ("EMEA only, everything", ("EMEA",), {}),
    ("all regions, filtered", ("EMEA", "AMER", "APAC"), {
        "start": "2022-02-10", "end": "2023-07-31", "products": ["Atlas", "Flux"],
        "channels": ["Online"], "countries": None}),
    ("within one month", ("AMER",), {"start": "2023-03-05", "end": "2023-03-20"}),
    ("AMER with a foreign country asked", ("AMER",), {"countries": ["Canada", "Japan"]}),
    ("APAC, only foreign countries asked", ("APAC",), {"countries": ["Germany"]}),
    ("no scope", (), {}),
    ("end before start", ("EMEA",), {"start": "2023-01-01", "end": "2022-01-01"}),
    ("SQL in a filter", ("EMEA",), {"products": ["Atlas' OR '1'='1", "Atlas"]}),
]  # fmt: skip


@pytest.mark.parametrize(("regions", "picked"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_summary_matches_pandas(
    queries_on: Any,
    mods: Any,
    rows: Any,
    database: Any,
    regions: tuple[str, ...],
    picked: dict[str, Any],
) -> None:
    queries = queries_on(database)
    filters = mods.queries.Filters.checked(
        queries.choices(regions), picked.get("start"), picked.get("end"), picked.get("products"),
        picked.get("channels"), picked.get("countries"),
    )  # fmt: skip
    summary = queries.summary(regions, filters)
    expected = rows[rows["region"].isin(regions)]
    for column, chosen in (
        ("country", filters.countries),
        ("product", filters.products),
        ("channel", filters.channels),
    ):
        if chosen is not None:
            expected = expected[expected[column].isin(chosen)]
    if filters.start and filters.end:
        expected = expected[
            (expected["day"] >= str(filters.start)) & (expected["day"] <= str(filters.end))
        ]
    else:
        expected = expected.iloc[:0]

    assert summary.orders == len(expected)
    assert summary.units == int(expected["units"].sum())
    assert summary.revenue == pytest.approx(expected["revenue"].sum(), abs=0.01)
    assert sum(summary.revenue_by_month) == pytest.approx(summary.revenue, abs=0.5)
    by_country = dict(summary.revenue_by_country)
    truth = expected.groupby("country", observed=True)["revenue"].sum()
    assert set(by_country) == set(truth.index)
    for country, value in truth.items():
        assert by_country[country] == pytest.approx(value, abs=0.01)
    if len(expected):
        top = expected.groupby(["country", "product"], observed=True)["revenue"].sum()
        assert summary.top[0][2] == pytest.approx(top.max(), abs=0.01)
        assert len(summary.months) == len({d.strftime("%Y-%m") for d in expected["day"]})


def test_choices_are_the_scopes_own_values(queries_on: Any, mods: Any, database: Any) -> None:
    queries = queries_on(database)
    emea = queries.choices(("EMEA",))
    assert set(emea.countries) == set(mods.data.REGIONS["EMEA"])
    assert set(emea.products) == set(mods.data.PRODUCTS)
    assert emea.first_day == date(2021, 1, 1) and emea.last_day == date(2024, 12, 31)
    assert queries.choices(()) == mods.queries.Choices()


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (("not-a-date", None, "Atlas", ["nope"], "Germany"),
         {"products": ("Atlas",), "channels": (), "countries": ("Germany",)}),
        ((None, None, ["Atlas", "Atlas", "nope"], None, ["Japan"]),
         {"products": ("Atlas",), "channels": None, "countries": ()}),
        ((None, None, ["x"] * 99 + ["Flux"], "Online", []),
         {"products": ("Flux",), "channels": ("Online",), "countries": None}),
        (("1999-01-01", "2999-01-01", None, None, None), {"start": date(2021, 1, 1)}),
    ],
    ids=["bad date and bare strings", "unknown and foreign values", "long list", "dates clamped"],
)  # fmt: skip
def test_filters_keep_only_known_values(
    queries_on: Any, mods: Any, database: Any, inputs: tuple[Any, ...], expected: dict[str, Any]
) -> None:
    choices = queries_on(database).choices(("EMEA",))
    filters = mods.queries.Filters.checked(choices, *inputs)
    for field, value in expected.items():
        assert getattr(filters, field) == value


@pytest.mark.parametrize(
    ("inputs", "sentence"),
    [
        ((17, None, None, None, None), "The start date must be text; got 17."),
        ((None, 3.0, None, None, None), "The end date must be text; got 3.0."),
        ((None, None, {"a": 1}, None, None), "Product must be a list of choices; got {'a': 1}."),
        ((None, None, None, [None, 3], None), "Channel must hold only names; got None."),
        ((None, None, None, None, [["Germany"]]), "Country must hold only names; got ['Germany']."),
        ((None, None, ["x"] * 101, None, None), "Product has 101 choices; at most 100."),
    ],
)
def test_filters_of_the_wrong_type_are_refused_with_a_sentence(
    queries_on: Any, mods: Any, database: Any, inputs: tuple[Any, ...], sentence: str
) -> None:
    from connectkit import InputError

    choices = queries_on(database).choices(("EMEA",))
    with pytest.raises(InputError) as refused:
        mods.queries.Filters.checked(choices, *inputs)
    assert str(refused.value) == sentence


def test_export_is_the_scoped_filtered_rows_and_bounded(
    queries_on: Any, mods: Any, rows: Any, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = queries_on(database)
    checked = mods.queries.Filters.checked
    filters = checked(queries.choices(("AMER",)), "2022-01-01", "2022-06-30", None, None,
                      ["Canada", "Japan"])  # fmt: skip
    export = queries.export(("AMER",), filters)
    lines = list(csv.DictReader(io.StringIO(export.csv_text)))
    expected = rows[
        (rows["country"] == "Canada")
        & (rows["day"] >= "2022-01-01")
        & (rows["day"] <= "2022-06-30")
    ]
    assert export.rows == len(lines) == len(expected) and not export.truncated
    assert {line["country"] for line in lines} == {"Canada"}
    assert sum(float(line["revenue"]) for line in lines) == pytest.approx(
        expected["revenue"].sum(), abs=0.01
    )
    monkeypatch.setattr(mods.queries, "EXPORT_MAX_ROWS", 25)
    bounded = queries.export(("AMER",), filters)
    assert bounded.truncated and bounded.rows == 25
    assert len(bounded.csv_text.splitlines()) == 26  # the header and 25 rows


def test_new_rows_show_up_within_the_refresh_time(
    queries_on: Any, mods: Any, database: Any, tmp_path: Path
) -> None:
    import pandas as pd

    clock = FakeClock()
    queries = queries_on(database, refresh_s=30, clock=clock)
    regions = ("APAC",)
    filters = mods.queries.Filters.checked(queries.choices(regions), None, None, None, None, None)
    before = queries.summary(regions, filters)
    extra = pd.DataFrame({
        "day": [pd.Timestamp("2024-12-31")] * 3, "region": ["APAC"] * 3,
        "country": ["Japan"] * 3, "product": ["Atlas"] * 3, "channel": ["Online"] * 3,
        "units": [1, 2, 3], "revenue": [10.0, 20.0, 30.0],
    })  # fmt: skip
    mods.load.add_sales(database, extra)
    clock.now += 29
    assert queries.summary(regions, filters) == before  # still the cached answer
    clock.now += 1
    after = queries.summary(regions, filters)
    assert after.orders == before.orders + 3
    assert after.revenue == pytest.approx(before.revenue + 60, abs=0.01)
    assert after.revenue_by_month[-1] == pytest.approx(before.revenue_by_month[-1] + 60)


def test_settings_defaults_and_overrides(mods: Any) -> None:
    s = mods.settings
    default = s.load_settings({})
    assert default.allowed_groups == ("sales-emea", "sales-amer", "sales-apac", "admins")
    assert default.scope_grants["admins"] == {"*"}
    assert default.database.kind == "duckdb" and default.refresh_s == 60
    app_folder = find_app("group-dashboard").path  # cache/ beside app.py, as the README says
    assert default.database.duckdb_file == app_folder / "cache" / "sales-v2-1000000.duckdb"
    relative = s.load_settings({"DASHBOARD_DUCKDB": "data/x.duckdb"}).database.duckdb_file
    assert relative == app_folder / "data" / "x.duckdb"
    custom = s.load_settings(
        {
            "DASHBOARD_GROUPS": " g-1 ,admins",
            "DASHBOARD_SCOPES": "g-1=EMEA,APAC",
            "DASHBOARD_ROWS": "10",
            "DASHBOARD_REFRESH_S": "5",
            "DATABASE_URL": "postgres://app:secret@db.example:5432/sales",
        }
    )
    assert custom.allowed_groups == ("g-1", "admins")
    assert custom.scope_grants == {"g-1": {"EMEA", "APAC"}}
    assert custom.rows == 10 and custom.refresh_s == 5
    assert custom.database.kind == "postgresql"
    assert custom.database.url.startswith("postgresql+psycopg://app:secret@db.example")
    assert "secret" not in custom.database.describe()
    assert s.load_settings({"DASHBOARD_GROUPS": ""}).allowed_groups == ()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DASHBOARD_SCOPES", "sales=EMEA,Atlantis", "DASHBOARD_SCOPES names unknown values"),
        (
            "DASHBOARD_ROWS",
            "1e6",
            "DASHBOARD_ROWS is '1e6'; expected a whole number of rows of at least 1",
        ),
        ("DASHBOARD_REFRESH_S", "soon", "DASHBOARD_REFRESH_S is 'soon'; expected seconds"),
        ("DATABASE_URL", "mysql://u:hunter2@h/db", "DATABASE_URL is 'h/db'; expected a PostgreSQL"),
        ("DATABASE_URL", "postgresql://u:hunter2@/", "DATABASE_URL is '/'; expected a PostgreSQL"),
    ],
)
def test_bad_settings_are_clear_errors(mods: Any, setting: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        mods.settings.load_settings({setting: value})
    assert "hunter2" not in str(caught.value)


def test_postgres_without_tables_is_a_clear_error(mods: Any, postgres_server: Any) -> None:
    url = postgres_server.create_database("dashboard_empty")
    database = mods.settings.load_settings({"DATABASE_URL": url}).database
    with pytest.raises(mods.load.MissingData, match="has no sales tables; load the demo data"):
        mods.load.ensure_demo_data(database, 10)


def test_the_app_on_postgres_without_tables_says_what_to_do(
    postgres_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.apps import app_built_with

    env = {
        "DATABASE_URL": postgres_server.create_database("dashboard_no_tables"),
        "RSTUDIO_PRODUCT": "CONNECT",
    }
    with app_built_with("group-dashboard", env) as module:
        client = module.app.server.test_client()
        admin = {"RStudio-Connect-Credentials": '{"user": "root", "groups": ["admins"]}'}
        assert client.get("/", headers=admin).status_code == 200  # the page itself
        assert client.get("/_dash-layout", headers=admin).status_code == 500
    assert "has no sales tables; load the demo data with `make data" in capsys.readouterr().err
