"""Several users with their own keys: ownership, visibility and who may write, as on Connect."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import BOB, CAROL, KEYED_USERS, ROOT, VIC, tar_gz


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("users") / "state"
    with running_connect_local(state, users=[*KEYED_USERS, "dave:analysts"]) as server:
        yield server


def me(connect: ConnectLocal, key: str) -> dict[str, Any]:
    user: dict[str, Any] = connect.api_as(key, "GET", "v1/user")
    return user


def names(connect: ConnectLocal, key: str, query: str) -> list[tuple[str, str]]:
    """(name, owner's username) of what ``GET v1/content?<query>`` lists for ``key``."""
    owners = {u["guid"]: u["username"] for u in connect.api("GET", "v1/users")["results"]}
    found = connect.api_as(key, "GET", f"v1/content?{query}")
    return sorted((c["name"], owners[c["owner_guid"]]) for c in found)


def create(connect: ConnectLocal, key: str, name: str, **fields: Any) -> str:
    guid: str = connect.api_as(key, "POST", "v1/content", {"name": name})["guid"]
    if fields:
        connect.api_as(key, "PATCH", f"v1/content/{guid}", fields)
    return guid


def test_each_key_is_its_own_user_with_its_role(connect: ConnectLocal) -> None:
    assert (
        me(connect, connect.api_key)["username"],
        me(connect, connect.api_key)["user_role"],
    ) == (
        "publisher",
        "publisher",
    )
    assert [me(connect, k)["user_role"] for _, _, k in KEYED_USERS] == [
        r for _, r, _ in KEYED_USERS
    ]
    assert me(connect, BOB)["username"] == "bob"
    status, body = connect.request("GET", "__api__/v1/user", key="bob-key-typo")
    assert (status, body["code"]) == (401, 30)


def test_names_are_unique_per_owner_and_listed_by_visibility(connect: ConnectLocal) -> None:
    create(connect, connect.api_key, "same-name")
    bob_guid = create(connect, BOB, "same-name")  # another owner: no clash
    status, body = connect.request("POST", "__api__/v1/content", {"name": "same-name"}, key=BOB)
    assert (status, body["code"]) == (409, 26)

    # bob's item is acl (the default): nobody else but an administrator sees it
    assert names(connect, connect.api_key, "name=same-name") == [("same-name", "publisher")]
    assert names(connect, ROOT, "name=same-name") == [
        ("same-name", "bob"),
        ("same-name", "publisher"),
    ]
    connect.api_as(BOB, "PATCH", f"v1/content/{bob_guid}", {"access_type": "logged_in"})
    assert names(connect, connect.api_key, "name=same-name") == [
        ("same-name", "bob"),
        ("same-name", "publisher"),
    ]
    own = me(connect, connect.api_key)["guid"]
    assert names(connect, connect.api_key, f"name=same-name&owner_guid={own}") == [
        ("same-name", "publisher")
    ]
    assert names(connect, VIC, "name=same-name") == [("same-name", "bob")]


def test_acl_content_is_visible_to_whom_it_is_granted(connect: ConnectLocal) -> None:
    guid = create(connect, BOB, "granted-to-vic")
    assert names(connect, VIC, "name=granted-to-vic") == []
    status, _ = connect.request("GET", f"__api__/v1/content/{guid}", key=VIC)
    assert status == 403
    vic = me(connect, VIC)["guid"]
    connect.api_as(
        BOB,
        "POST",
        f"v1/content/{guid}/permissions",
        {"principal_guid": vic, "principal_type": "user", "role": "viewer"},
    )
    assert names(connect, VIC, "name=granted-to-vic") == [("granted-to-vic", "bob")]
    assert connect.api_as(VIC, "GET", f"v1/content/{guid}")["app_role"] == "viewer"
    assert connect.api_as(BOB, "GET", f"v1/content/{guid}")["app_role"] == "owner"


def _writes(guid: str) -> list[tuple[str, str, Any]]:
    """Every write a deploy tool makes, as (method, path, body)."""
    return [
        ("PATCH", f"v1/content/{guid}", {"title": "Taken over"}),
        ("PATCH", f"v1/content/{guid}/environment", [{"name": "X", "value": "1"}]),
        ("PUT", f"v1/content/{guid}/environment", []),
        ("POST", f"v1/content/{guid}/deploy", {}),
        ("PUT", f"v1/content/{guid}/vanity", {"path": "/taken-over/"}),
        ("DELETE", f"v1/content/{guid}/vanity", None),
        ("PUT", f"v1/content/{guid}/permissions/1", {"role": "owner"}),
        ("DELETE", f"v1/content/{guid}/permissions/1", None),
        ("DELETE", f"v1/content/{guid}/bundles/1", None),
        ("DELETE", f"v1/content/{guid}", None),
    ]


def upload_status(connect: ConnectLocal, guid: str, key: str) -> int:
    request = urllib.request.Request(
        f"{connect.url}/__api__/v1/content/{guid}/bundles",
        data=tar_gz({"manifest.json": b"{}"}),
        method="POST",
        headers={"Authorization": f"Key {key}"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def test_only_owner_collaborator_or_administrator_may_write(connect: ConnectLocal) -> None:
    guid = create(connect, BOB, "bobs-own", access_type="logged_in", title="Bob's own")
    for method, path, body in _writes(guid):
        status, error = connect.request(method, f"__api__/{path}", body, key=CAROL)
        assert status == 403, (method, path, status, error)
        assert "carol may not change" in error["error"]
    assert upload_status(connect, guid, CAROL) == 403
    carol = me(connect, CAROL)["guid"]
    grant = {"principal_guid": carol, "principal_type": "user", "role": "owner"}
    status, _ = connect.request("POST", f"__api__/v1/content/{guid}/permissions", grant, key=CAROL)
    assert status == 403
    content = connect.api_as(BOB, "GET", f"v1/content/{guid}")
    assert content["title"] == "Bob's own"
    status, _ = connect.request("GET", "__api__/v1/vanities", key=BOB)  # administrators only
    assert status == 403
    assert connect.api_as(BOB, "GET", f"v1/content/{guid}/bundles") == []

    connect.api_as(BOB, "POST", f"v1/content/{guid}/permissions", grant)  # now a collaborator
    connect.api_as(CAROL, "PATCH", f"v1/content/{guid}", {"title": "Carol helps"})
    assert connect.api_as(CAROL, "GET", f"v1/content/{guid}")["app_role"] == "editor"
    assert upload_status(connect, guid, CAROL) == 200
    connect.api_as(ROOT, "PATCH", f"v1/content/{guid}", {"title": "Admin tidies"})
    assert connect.api_as(BOB, "GET", f"v1/content/{guid}")["title"] == "Admin tidies"
    connect.api_as(ROOT, "DELETE", f"v1/content/{guid}")
    assert names(connect, BOB, "name=bobs-own") == []


def test_viewers_cannot_publish_or_collaborate(connect: ConnectLocal) -> None:
    status, body = connect.request("POST", "__api__/v1/content", {"name": "by-vic"}, key=VIC)
    assert status == 403 and "viewer" in body["error"]
    status, _ = connect.request("POST", "__api__/v1/groups", {"name": "vics"}, key=VIC)
    assert status == 403
    guid = create(connect, BOB, "vic-cannot-edit")
    grant = {"principal_guid": me(connect, VIC)["guid"], "principal_type": "user"}
    status, body = connect.request(
        "POST", f"__api__/v1/content/{guid}/permissions", {**grant, "role": "owner"}, key=BOB
    )
    assert (status, body["code"]) == (403, 33) and "must be publishers or administrators" in body[
        "error"
    ]
    connect.api_as(BOB, "POST", f"v1/content/{guid}/permissions", {**grant, "role": "viewer"})
    status, _ = connect.request("PATCH", f"__api__/v1/content/{guid}", {"title": "Vic"}, key=VIC)
    assert status == 403


def test_content_made_with_a_key_is_owned_by_its_user(connect: ConnectLocal) -> None:
    guid = create(connect, CAROL, "carols-item")
    content = connect.api_as(CAROL, "GET", f"v1/content/{guid}")
    assert content["owner_guid"] == me(connect, CAROL)["guid"]


def test_renaming_is_checked_per_owner(connect: ConnectLocal) -> None:
    create(connect, connect.api_key, "publishers-name")
    first = create(connect, BOB, "bobs-first")
    create(connect, BOB, "bobs-second")
    path = f"__api__/v1/content/{first}"
    status, body = connect.request("PATCH", path, {"name": "bobs-second"}, key=BOB)
    assert (status, body["code"]) == (409, 26)
    connect.api_as(BOB, "PATCH", f"v1/content/{first}", {"name": "publishers-name"})
    assert names(connect, ROOT, "name=publishers-name") == [
        ("publishers-name", "bob"),
        ("publishers-name", "publisher"),
    ]


@pytest.mark.parametrize("spec", ["bob:king:k", "bob:publisher:", ":viewer:k"])
def test_a_bad_user_key_spec_does_not_start(spec: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.connect_local", "--port", "0", "--user-key", spec],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "expected NAME:ROLE:KEY" in result.stderr, result.stderr
