"""Visits recorded by the stand-in's proxy, and the instrumentation endpoints that serve them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from posit.connect import Client

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import (
    BOB,
    CAROL,
    KEYED_USERS,
    ROOT,
    VIC,
    deployed_guid,
    make_bundle_dir,
    rsconnect,
)

VISITS = "__api__/v1/instrumentation/content/visits"
HITS = "__api__/v1/instrumentation/content/hits"


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    with running_connect_local(
        tmp_path_factory.mktemp("visits") / "state",
        users=KEYED_USERS,
        environments_dir=environments_dir,
    ) as server:
        yield server


def deploy_as(connect: ConnectLocal, key: str, folder: Path, title: str) -> str:
    """Deploy ``folder`` as ``key``'s owner, open to everyone; no check visit (rsconnect
    opens deployed content to verify it, which Connect counts as a visit)."""
    guid = deployed_guid(
        rsconnect(
            *("deploy", "dash", "--no-verify", "-s", connect.url, "-k", key),
            *("--title", title, str(folder)),
        )
    )
    connect.api_as(key, "PATCH", f"v1/content/{guid}", {"access_type": "all"})
    return guid


def visit(connect: ConnectLocal, path: str, key: str | None = None) -> int:
    """GET a content path as ``key``'s owner (None: anonymous); the status."""
    request = urllib.request.Request(connect.url + path)
    if key is not None:
        request.add_header("Authorization", f"Key {key}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)


@pytest.fixture(scope="module")
def visited(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Bob's app opened anonymously, by Vic and by root (plus its layout, its
    callbacks' map and its icon, none of them visits); Carol's app opened by Bob."""
    folder = tmp_path_factory.mktemp("apps")
    bobs = deploy_as(connect, BOB, make_bundle_dir(folder, "bobs"), "Bob's app")
    carols = deploy_as(connect, CAROL, make_bundle_dir(folder, "carols"), "Carol's app")
    for key in (None, VIC, ROOT):
        assert visit(connect, f"/content/{bobs}/", key) == 200
    assert visit(connect, f"/content/{bobs}/_dash-layout", VIC) == 200  # JSON: no visit
    assert visit(connect, f"/content/{bobs}/_dash-dependencies") == 200  # JSON: no visit
    assert visit(connect, f"/content/{bobs}/_favicon.ico") == 200  # an asset: no visit
    assert visit(connect, f"/content/{carols}/", BOB) == 200
    users = {u["username"]: u["guid"] for u in connect.api_as(ROOT, "GET", "v1/users")["results"]}
    return {"bobs": bobs, "carols": carols, "users": users}


def visits_as(connect: ConnectLocal, key: str, query: str = "") -> tuple[int, Any]:
    return connect.request("GET", f"{VISITS}?{query}", key=key)


def test_each_page_view_is_one_visit_with_its_visitor_content_and_bundle(
    connect: ConnectLocal, visited: dict[str, Any]
) -> None:
    status, body = visits_as(connect, ROOT, "limit=500")
    assert status == 200 and body["paging"]["cursors"]["next"] is None
    bobs = [v for v in body["results"] if v["content_guid"] == visited["bobs"]]
    users = visited["users"]
    assert [v["user_guid"] for v in bobs] == [None, users["vic"], users["root"]]
    bundle = int(connect.api("GET", f"v1/content/{visited['bobs']}")["bundle_id"])
    assert {v["bundle_id"] for v in bobs} == {bundle}
    assert {v["path"] for v in bobs} == {"/"} and {v["data_version"] for v in bobs} == {3}
    carols = [v for v in body["results"] if v["content_guid"] == visited["carols"]]
    assert [v["user_guid"] for v in carols] == [users["bob"]]
    assert set(bobs[0]) == {
        *("content_guid", "user_guid", "variant_key", "rendering_id", "bundle_id"),
        *("time", "data_version", "path"),
    }


def test_publishers_read_their_own_content_visits_and_viewers_none(
    connect: ConnectLocal, visited: dict[str, Any]
) -> None:
    status, body = visits_as(connect, VIC)
    assert (status, body["code"]) == (403, 10)
    assert connect.request("GET", HITS, key=VIC)[0] == 403
    for key, own in ((BOB, visited["bobs"]), (CAROL, visited["carols"])):
        status, body = visits_as(connect, key, "limit=500")
        assert status == 200 and {v["content_guid"] for v in body["results"]} == {own}
        hits = connect.api_as(key, "GET", HITS.removeprefix("__api__/"))
        assert {h["content_guid"] for h in hits} == {own}


def test_cursor_paging_walks_every_visit_once_as_posit_sdk_does(
    connect: ConnectLocal, visited: dict[str, Any]
) -> None:
    seen: list[dict[str, Any]] = []
    cursor = ""
    pages = 0
    while True:
        status, body = visits_as(connect, ROOT, f"limit=1&next={cursor}" if cursor else "limit=1")
        assert status == 200 and len(body["results"]) <= 1
        seen += body["results"]
        pages += 1
        cursor = body["paging"]["cursors"]["next"]
        if not cursor:
            break
        assert body["paging"]["next"].startswith(connect.url)
    everything = visits_as(connect, ROOT, "limit=500")[1]["results"]
    assert seen == everything and pages == len(everything) == 4
    newest_first = visits_as(connect, ROOT, "limit=500&asc_order=false")[1]["results"]
    assert newest_first == everything[::-1]
    sdk = Client(connect.url, ROOT)
    found = sdk.metrics.usage.find(content_guid=visited["bobs"])
    assert len(found) == 3 and {u["content_guid"] for u in found} == {visited["bobs"]}
    hits = list(sdk.metrics.hits.fetch(content_guid=[visited["bobs"], visited["carols"]]))
    assert len(hits) == 4


def test_filters_by_content_time_and_data_version(
    connect: ConnectLocal, visited: dict[str, Any]
) -> None:
    everything = visits_as(connect, ROOT, "limit=500")[1]["results"]
    only = visits_as(connect, ROOT, f"content_guid={visited['carols']}")[1]["results"]
    assert [v["content_guid"] for v in only] == [visited["carols"]]
    last = everything[-1]["time"]
    assert visits_as(connect, ROOT, f"from={last}")[1]["results"] == [everything[-1]]
    assert visits_as(connect, ROOT, f"to={everything[0]['time']}")[1]["results"] == [everything[0]]
    assert visits_as(connect, ROOT, "min_data_version=4")[1]["results"] == []
    status, hits = connect.request("GET", f"{HITS}?to={everything[0]['time']}", key=ROOT)
    assert status == 200 and [h["timestamp"] for h in hits] == [everything[0]["time"]]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=501",
        "limit=1.5",
        "from=yesterday",
        "to=2025-05-01T00:00:00",  # no offset
        "content_guid=not-a-guid",
        "next=garbage",
        "min_data_version=-1",
        "asc_order=maybe",
    ],
)
def test_a_bad_filter_is_refused_naming_it(
    connect: ConnectLocal, visited: dict[str, Any], query: str
) -> None:
    status, body = visits_as(connect, ROOT, query)
    assert (status, body["code"]) == (400, 25)
    assert query.split("=")[0] in body["error"]


def test_an_older_connect_has_no_hits_endpoint(tmp_path: Path) -> None:
    with running_connect_local(tmp_path / "state", version="2024.12.0") as older:
        status, body = older.request("GET", HITS)
        assert (status, body["code"]) == (404, 2)
        assert older.request("GET", VISITS)[0] == 200
