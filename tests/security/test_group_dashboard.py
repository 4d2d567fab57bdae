"""The group dashboard's gate and scopes, attacked through the Flask test client.

Every route of the app (Flask's url_map with each argument filled, the
component-suite files and assets the index links) is requested by outsiders:
all must answer 403 and carry no data. Every callback is forged as a
non-member. An EMEA member forges filters for other regions and gets none
of their rows. The canary product's name must never leave in a denied response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from scripts.perf.dash_requests import UPDATE_PATH, callback_body
from tests.support.apps import app_built_with

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


@pytest.fixture(scope="module")
def dashboard() -> Iterator[ModuleType]:
    env = {
        "RSTUDIO_PRODUCT": "CONNECT",  # believe the header, as on Connect
        "DASH_REQUESTS_PATHNAME_PREFIX": PREFIX,
        "DASHBOARD_ROWS": "30000",
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
    # ...and what they get carries the canary: a leak of it would be seen.
    from sales_data import CANARY_PRODUCT

    layout = client.get("/_dash-layout", headers=headers(MEMBER)).get_data(as_text=True)
    assert CANARY_PRODUCT in layout and "Germany" in layout


@pytest.mark.parametrize("who", list(OUTSIDERS), ids=list(OUTSIDERS))
def test_every_route_refuses_outsiders(dashboard: ModuleType, who: str) -> None:
    client = dashboard.app.server.test_client()
    from sales_data import CANARY_PRODUCT

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
    """One request per callback, every output included, inputs set to ``values``."""
    bodies = []
    for spec in app.callback_map.values():
        outputs = [(o.component_id, o.component_property) for o in spec["output"]]
        inputs = [
            (i["id"], i["property"], values.get(f"{i['id']}.{i['property']}"))
            for i in spec["inputs"]
        ]
        bodies.append(callback_body(outputs, inputs))
    assert bodies, "the app has no callback to forge"
    return bodies


@pytest.mark.parametrize("who", ["anonymous", "non-member", "not json"])
def test_forged_callbacks_are_refused_for_outsiders(dashboard: ModuleType, who: str) -> None:
    from sales_data import CANARY_PRODUCT

    client = dashboard.app.server.test_client()
    for body in forged_bodies(dashboard.app, **{"product.value": [CANARY_PRODUCT]}):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(OUTSIDERS[who]))
        assert response.status_code == 403
        assert CANARY_PRODUCT not in response.get_data(as_text=True)
        # the same request from an admin is answered, with the canary in it
        admitted = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(ADMIN))
        assert admitted.status_code == 200
        assert CANARY_PRODUCT in admitted.get_data(as_text=True)


@pytest.mark.parametrize(
    ("countries", "nothing_matches"),
    [
        (["Japan"], True),
        (["United States", "Brazil"], True),
        ("Japan", True),
        (["Germany", "Japan"], False),  # Germany's rows only
        ([{"region": "APAC"}], False),  # not a country name: ignored, EMEA as usual
    ],
)
def test_emea_member_cannot_forge_other_regions(
    dashboard: ModuleType, countries: Any, nothing_matches: bool
) -> None:
    from sales_data import REGIONS

    client = dashboard.app.server.test_client()
    elsewhere = [c for r, cs in REGIONS.items() if r != "EMEA" for c in cs]
    for body in forged_bodies(dashboard.app, **{"country.value": countries}):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(MEMBER))
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert not [c for c in elsewhere if c in text], text[:500]
        kpis = response.get_json()["response"]
        assert (kpis["kpi-orders"]["children"] == "0") is nothing_matches


def test_admin_forging_the_same_filter_sees_the_region(dashboard: ModuleType) -> None:
    """The forged-region check above is not vacuous: the rows exist."""
    client = dashboard.app.server.test_client()
    for body in forged_bodies(dashboard.app, **{"country.value": ["Japan"]}):
        response = client.post(f"/{UPDATE_PATH}", json=body, headers=headers(ADMIN))
        assert "Japan" in response.get_data(as_text=True)
        assert response.get_json()["response"]["kpi-orders"]["children"] != "0"
