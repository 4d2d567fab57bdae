"""The Connect API subset, through rsconnect's CLI, posit-sdk and plain HTTP (no builds)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.connect_local.launch import ConnectLocal
from tests.stand_in.conftest import deploy, make_bundle_dir, rsconnect, tar_gz


def test_wrong_key_is_refused_with_connects_error(connect: ConnectLocal, tmp_path: Path) -> None:
    status, body = connect.request("GET", "__api__/v1/user", key="not-the-key")
    assert status == 401
    assert body["code"] == 30
    folder = make_bundle_dir(tmp_path, "wrong-key")
    result = rsconnect("deploy", "dash", "-s", connect.url, "-k", "not-the-key", str(folder))
    assert result.returncode != 0
    assert "The specified API key is not valid" in result.stdout + result.stderr


def test_every_api_answer_is_json(connect: ConnectLocal) -> None:
    for path, key in [
        ("__api__/server_settings", connect.api_key),
        ("__api__/v1/user", connect.api_key),
        ("__api__/v1/user", "bad"),
        ("__api__/v1/no-such-endpoint", connect.api_key),
        ("__api__/v1/content/00000000-0000-0000-0000-000000000000", connect.api_key),
    ]:
        request = urllib.request.Request(
            f"{connect.url}/{path}", headers={"Authorization": f"Key {key}"}
        )
        try:
            with urllib.request.urlopen(request) as response:
                content_type = response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            with error:
                content_type = error.headers["Content-Type"]
        assert content_type == "application/json", path


def test_duplicate_name_is_409_with_code_26(connect: ConnectLocal) -> None:
    connect.api("POST", "v1/content", {"name": "dup-name"})
    status, body = connect.request("POST", "__api__/v1/content", {"name": "dup-name"})
    assert (status, body["code"]) == (409, 26)
    assert len(connect.api("GET", "v1/content?name=dup-name")) == 1


def test_bad_content_input_is_refused_and_changes_nothing(connect: ConnectLocal) -> None:
    guid = connect.api("POST", "v1/content", {"name": "bad-input"})["guid"]
    for body in ({"access_type": "everyone"}, {"colour": "red"}, {"name": "x"}):
        status, error = connect.request("PATCH", f"__api__/v1/content/{guid}", body)
        assert status == 400, body
        assert error["error"]
    assert connect.api("GET", f"v1/content/{guid}")["access_type"] == "acl"


def test_posit_sdk_sets_access_permissions_env_and_vanity(connect: ConnectLocal) -> None:
    client = Client(url=connect.url, api_key=connect.api_key)
    assert client.me["username"] == "publisher"
    guid = connect.api("POST", "v1/content", {"name": "sdk-managed"})["guid"]
    content = client.content.get(guid)
    content.update(access_type="logged_in")
    assert client.content.get(guid)["access_type"] == "logged_in"

    sales = client.groups.find_one(prefix="sal")
    assert sales is not None and sales["name"] == "sales"
    assert client.groups.get(sales["guid"])["name"] == "sales"
    bob = client.users.find_one(prefix="bo")
    assert bob is not None and client.users.get(bob["guid"])["username"] == "bob"
    permission = content.permissions.create(
        principal_guid=sales["guid"], principal_type="group", role="viewer"
    )
    assert [p["principal_guid"] for p in content.permissions.find()] == [sales["guid"]]
    permission.destroy()
    assert content.permissions.find() == []

    content.environment_variables.create("GREETING", "hi")
    assert content.environment_variables.find() == ["GREETING"]
    content.environment_variables.delete("GREETING")
    assert content.environment_variables.find() == []

    content.vanity = "/sdk-managed/"
    assert content.vanity == "/sdk-managed/"
    with pytest.raises(ClientError):
        client.content.get(
            connect.api("POST", "v1/content", {"name": "sdk-other"})["guid"]
        ).vanity = "/sdk-managed/nested/"


def test_vanity_paths_follow_connects_rules(connect: ConnectLocal) -> None:
    guid = connect.api("POST", "v1/content", {"name": "vanity-rules"})["guid"]
    for bad in ("/content/x/", "/__api__/", "/with space/", "/connect/"):
        status, _ = connect.request("PUT", f"__api__/v1/content/{guid}/vanity", {"path": bad})
        assert status == 400, bad


def test_upload_that_is_not_a_bundle_is_refused(connect: ConnectLocal) -> None:
    guid = connect.api("POST", "v1/content", {"name": "not-a-bundle"})["guid"]
    for data in (b"plain text", tar_gz({"app.py": b"x = 1\n"})):
        request = urllib.request.Request(
            f"{connect.url}/__api__/v1/content/{guid}/bundles",
            data=data,
            method="POST",
            headers={"Authorization": f"Key {connect.api_key}"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request)
        caught.value.close()
        assert caught.value.code == 400
    assert connect.api("GET", f"v1/content/{guid}/bundles") == []


def test_injected_503_fails_rsconnect_then_clears(
    faulty_connect: ConnectLocal, tmp_path: Path
) -> None:
    faulty_connect.fail_next("v1/content", method="POST", count=1)
    folder = make_bundle_dir(tmp_path, "unavailable")
    result = deploy(faulty_connect, folder, "unavailable once")
    assert result.returncode != 0
    assert "service unavailable (injected fault)" in result.stdout + result.stderr
    assert faulty_connect.api("GET", "v1/content?name=unavailable_once") == []
    status, _ = faulty_connect.request("POST", "__api__/v1/content", {"name": "after-the-fault"})
    assert status == 200


def test_fault_injection_needs_the_key(connect: ConnectLocal) -> None:
    status, _ = connect.request("POST", "__faults__/failing_builds", {"count": 1}, key="bad")
    assert status == 401
    assert connect.request("GET", "__faults__/")[1]["failing_builds"] == 0
