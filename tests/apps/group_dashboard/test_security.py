"""The group dashboard's gate and scopes, attacked through the Flask test client.

Every route of the app (Flask's url_map with each argument filled, the
component-suite files and assets the index links) is requested by outsiders:
all must answer 403 and carry no data. Every callback is forged as a
non-member. An EMEA member forges filters for other regions and gets none
of their rows, on DuckDB and on PostgreSQL: SQL fragments, other regions'
countries and huge lists included, in the update and the export callbacks.

A canary product is planted in APAC only, for these tests (the demo data has
none): its name must never reach an outsider or an EMEA member, while an
admin sees it (so its absence means something).
"""

from __future__ import annotations

import gc
import json
import re
import tracemalloc
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from scripts.perf.dash_requests import UPDATE_PATH, callback_body
from tests.support.apps import app_built_with
from tests.support.databases import DATABASES, dashboard_database, dashboard_modules

PREFIX = "/content/0f6c3a52-9f0e-4d4e-9a57-1b1d3c5e7a90/"
HEADER = "RStudio-Connect-Credentials"
MEMBER = json.dumps({"user": "eve", "groups": ["analysts", "sales-emea"]})
ADMIN = json.dumps({"user": "root", "groups": ["admins"]})
OUTSIDERS: dict[str, str | None] = {
    "anonymous": None,
    "non-member": json.dumps({"user": "mallory", "groups": ["analysts", "sales"]}),
    "group name in another case": json.dumps({"user": "mallory", "groups": ["Admins"]}),
    "member groups but no user": json.dumps({"groups": ["admins"]}),
    "groups as a string": json.dumps({"user": "mallory", "groups": "admins"}),
    "not json": "{user: admins",
    "json list": json.dumps(["admins"]),
    "user not a string": json.dumps({"user": {"name": "x"}, "groups": ["admins"]}),
    "empty": "",
    "huge": json.dumps({"user": "m", "groups": ["x" * 100_000]}),
}
# Sample values for each URL argument of every route; a new argument fails loudly.
ARGUMENT_SAMPLES = {
    "path": ["reports/2024", "sales/emea/germany", "health/extra"],
    "filename": ["dashboard.css", "bootstrap.min.css", "does-not-exist.js"],
}
ROUTES_WITH_OWN_FILES = {"package_name", "fingerprinted_path"}  # taken from the index
CANARY_PRODUCT = "Canary-7f3e91"
ELSEWHERE = [
    "United States", "Canada", "Brazil", "Mexico", "Japan", "Australia", "India", "Singapore"
]  # fmt: skip


def plant_canary(env: dict[str, str]) -> None:
    """A few big APAC sales of the canary product: in the top sellers of any APAC view."""
    import pandas as pd

    with dashboard_modules() as mods:
        database = mods.settings.load_settings(env).database
        mods.load.add_sales(database, pd.DataFrame({
            "day": [pd.Timestamp("2023-06-01")] * 5, "region": ["APAC"] * 5,
            "country": ["Japan"] * 5, "product": [CANARY_PRODUCT] * 5,
            "channel": ["Online"] * 5, "units": [900] * 5, "revenue": [9e6] * 5,
        }))  # fmt: skip


@pytest.fixture(scope="module", params=DATABASES)
def dashboard(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    env = dashboard_database(request.param, 30_000, tmp_path_factory.mktemp("db"), request)
    plant_canary(env)
    env |= {
        "RSTUDIO_PRODUCT": "CONNECT",  # believe the header, as on Connect
        "DASH_REQUESTS_PATHNAME_PREFIX": PREFIX,
    }
    with app_built_with("group-dashboard", env) as module:
        yield module


@pytest.fixture(autouse=True)
def _on_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSTUDIO_PRODUCT", "CONNECT")


def headers(credentials: str | None) -> dict[str, str]:
    return {} if credentials is None else {HEADER: credentials}


def linked_files(index_html: str) -> set[str]:
    """Local script and stylesheet URLs of the index, relative to the app root."""
    urls = re.findall(r'(?:src|href)="([^"]+)"', index_html)
    return {
        "/" + urlsplit(u).path[len(PREFIX) :]
        for u in urls
        if urlsplit(u).path.startswith(PREFIX) and not urlsplit(u).netloc
    }


def every_request(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every route with its arguments filled, plus linked files."""
    member = app.server.test_client()
    index = member.get("/", headers=headers(MEMBER)).get_data(as_text=True)
    files = linked_files(index)
    assert any("_dash-component-suites/" in f for f in files), "index linked no suites"
    assert "/assets/dashboard.css" in {f.split("?")[0] for f in files}
    requests = {("GET", f) for f in files} | {("GET", "/_favicon.ico"), ("GET", "/favicon.ico")}
    for rule in app.server.url_map.iter_rules():
        if rule.arguments & ROUTES_WITH_OWN_FILES:
            continue
        unknown = rule.arguments - ARGUMENT_SAMPLES.keys()
        assert not unknown, f"route {rule.rule} has arguments {unknown}: add samples"
        paths = [rule.rule]
        for argument in rule.arguments:
            paths = [
                p.replace(m, sample)
                for p in paths
                for m in re.findall(rf"<(?:[a-z]+:)?{argument}>", p)
                for sample in ARGUMENT_SAMPLES[argument]
            ]
        for method in sorted((rule.methods or set()) - {"HEAD"}):
            requests.update((method, p) for p in paths)
    return sorted(requests)


def send(client: Any, method: str, path: str, credentials: str | None) -> Any:
    body = json.dumps({"output": "x", "inputs": []}) if method == "POST" else None
    return client.open(
        path,
        method=method,
        headers=headers(credentials),
        data=body,
        content_type="application/json",
    )


def test_members_reach_every_enumerated_route(dashboard: ModuleType) -> None:
    """The enumeration is real: a member is let through on each request."""
    client = dashboard.app.server.test_client()
    refused = []
    for method, path in every_request(dashboard.app):
        with send(client, method, path, MEMBER) as response:  # closes static files
            if response.status_code == 403:
                refused.append((method, path))
    assert refused == []
    # ...and what they get is their region's, without the canary planted in APAC,
    layout = client.get("/_dash-layout", headers=headers(MEMBER)).get_data(as_text=True)
    assert "Germany" in layout and CANARY_PRODUCT not in layout
    # which an admin's page offers: a leak of it would be seen.
    layout = client.get("/_dash-layout", headers=headers(ADMIN)).get_data(as_text=True)
    assert CANARY_PRODUCT in layout


@pytest.mark.parametrize("who", list(OUTSIDERS), ids=list(OUTSIDERS))
def test_every_route_refuses_outsiders(dashboard: ModuleType, who: str) -> None:
    client = dashboard.app.server.test_client()
    leaks = []
    for method, path in every_request(dashboard.app):
        if path == "/health":
            continue  # open on purpose: see the app's README
        response = send(client, method, path, OUTSIDERS[who])
        text = response.get_data(as_text=True)
        if response.status_code != 403 or CANARY_PRODUCT in text or "Germany" in text:
            leaks.append(f"{method} {path}: {response.status_code}")
        elif method == "GET":
            assert "Access denied" in text and "sales-emea" in text
    assert leaks == []


def test_health_is_open_and_says_nothing(dashboard: ModuleType) -> None:
    response = dashboard.app.server.test_client().get("/health")
    assert response.status_code == 200
    assert len(response.data) < 20 and b"Canary" not in response.data


def forged_bodies(app: Any, **values: Any) -> list[dict[str, Any]]:
    """One request per callback, every output included, inputs and state set to ``values``
    (a button's clicks default to 1, so the export callback runs)."""
    bodies = []
    for spec in app.callback_map.values():
        outputs = [(o.component_id, o.component_property) for o in spec["output"]]

        def value(item: dict[str, str]) -> Any:
            key = f"{item['id']}.{item['property']}"
            return values.get(key, 1 if item["property"] == "n_clicks" else None)

        inputs = [(i["id"], i["property"], value(i)) for i in spec["inputs"]]
        state = [{**s, "value": value(s)} for s in spec.get("state", [])]
        bodies.append(callback_body(outputs, inputs, state))
    assert len(bodies) == 2, "expected the update and the export callbacks"
    return bodies


def answer(response: Any) -> dict[str, Any]:
    """The outputs of a callback response, by component id."""
    return response.get_json()["response"]  # type: ignore[no-any-return]


def orders_or_rows(outputs: dict[str, Any]) -> int:
    """Orders (update callback) or exported rows (export callback) in an answer;
    a refused input (a sentence instead of a download) exports nothing."""
    if "kpi-orders" in outputs:
        return int(outputs["kpi-orders"]["children"].replace(",", ""))
    if "download" not in outputs:
        assert outputs["export-note"]["children"].endswith(".")  # the refusal's sentence
        return 0
    return len(outputs["download"]["data"]["content"].splitlines()) - 1


@pytest.mark.parametrize("who", ["anonymous", "non-member", "not json"])
def test_forged_callbacks_are_refused_for_outsiders(dashboard: ModuleType, who: str) -> None:
    client = dashboard.app.server.test_client()
    for body in forged_bodies(dashboard.app, **{"product.value": [CANARY_PRODUCT]}):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(OUTSIDERS[who]))
        assert response.status_code == 403
        assert CANARY_PRODUCT not in response.get_data(as_text=True)
        # the same request from an admin is answered, with the canary in it
        admitted = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(ADMIN))
        assert admitted.status_code == 200
        assert CANARY_PRODUCT in admitted.get_data(as_text=True)


SQL_FRAGMENTS = [
    "Germany' OR '1'='1",
    "Germany') OR region IN ('APAC",
    "x'; DROP TABLE sales; --",
    "%",
]


@pytest.mark.parametrize(
    ("field", "forged", "nothing_matches"),
    [
        ("country.value", ["Japan"], True),
        ("country.value", ["United States", "Brazil"], True),
        ("country.value", "Japan", True),
        ("country.value", ["Germany", "Japan"], False),  # Germany's rows only
        ("country.value", [{"region": "APAC"}], True),  # not a name: refused, nothing read
        ("country.value", SQL_FRAGMENTS, True),
        ("product.value", SQL_FRAGMENTS, True),
        ("product.value", [CANARY_PRODUCT], True),
        ("channel.value", ["Online) OR (1=1"], True),
        ("country.value", ELSEWHERE * 12 + ["Germany"], False),
        ("country.value", ELSEWHERE * 200 + ["Germany"], True),  # too long: refused
        ("dates.start_date", "2021-01-01' OR '1'='1", False),  # not a date: the first day
    ],
)
def test_emea_member_cannot_forge_other_regions(
    dashboard: ModuleType, field: str, forged: Any, nothing_matches: bool
) -> None:
    client = dashboard.app.server.test_client()
    for body in forged_bodies(dashboard.app, **{field: forged}):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(MEMBER))
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert not [c for c in ELSEWHERE if c in text], text[:500]
        assert CANARY_PRODUCT not in text
        assert (orders_or_rows(answer(response)) == 0) is nothing_matches


def test_admin_forging_the_same_filters_sees_the_rows(dashboard: ModuleType) -> None:
    """The forged-region checks above are not vacuous: the rows and the canary exist."""
    client = dashboard.app.server.test_client()
    forged = {"country.value": ["Japan"], "product.value": [CANARY_PRODUCT]}
    for body in forged_bodies(dashboard.app, **forged):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(ADMIN))
        text = response.get_data(as_text=True)
        assert "Japan" in text and CANARY_PRODUCT in text
        assert orders_or_rows(answer(response)) == 5


def test_a_huge_request_is_refused_before_it_is_read(dashboard: ModuleType) -> None:
    client = dashboard.app.server.test_client()
    huge = [f"forged-{i}" for i in range(200_000)]
    body = forged_bodies(dashboard.app, **{"product.value": huge})[0]
    response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(MEMBER))
    assert response.status_code == 413


def test_memory_stays_flat_under_unique_forged_filters(dashboard: ModuleType) -> None:
    """Each request names 100 products nobody sells, never twice the same: the
    checked filters are all the same, so nothing of them is kept."""
    client = dashboard.app.server.test_client()

    def burst(start: int, requests: int) -> None:
        for n in range(start, start + requests):
            forged = [f"p{n}-{i}" for i in range(100)]  # the most a list may hold
            body = forged_bodies(dashboard.app, **{"product.value": forged})[0]
            response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(MEMBER))
            assert response.status_code == 200

    burst(0, 20)  # warm up: imports, pools, first cache entries
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        burst(20, 150)  # 15,000 unique strings sent
        gc.collect()
        grown = sum(d.size_diff for d in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"{grown:,} bytes kept after 150 forged requests"
