"""What the stand-in answers as Connect does, checked the way posit-sdk's own
integration tests check a real Connect. These are `connect` tests: under
``make test-connect CONNECT_SERVER=...`` the same assertions run against a
real server, so a difference shows up as a failure on one side."""

from __future__ import annotations

import io
import json
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from posit.connect import Client

from tests.stand_in.conftest import deploy, deployed_guid, make_bundle_dir
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    not_applicable,
    prefixed,
)

ADMIN_KEY = "as-connect-admin-key"
# An app that shows one environment variable: a restart shows the new value.
GREETING_APP = """\
import os

from dash import Dash, html

app = Dash(__name__, title="Greeting")
app.layout = html.P(f"greeting={os.environ.get('GREETING', 'unset')}")
"""
BUNDLE_FIELDS = {
    "id", "content_guid", "created_time", "cluster_name", "image_name", "r_version",
    "py_version", "quarto_version", "active", "size", "metadata",
}  # fmt: skip


@pytest.fixture(scope="module")
def server(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectServer]:
    admin = [("ada", "administrator", ADMIN_KEY)]
    with connect_server.start("as-connect", users=admin, environments_dir=environments_dir) as s:
        yield s


def admin_key(server: ConnectServer) -> str:
    """An administrator's key: the stand-in's ada, or the key a real server was given."""
    return ADMIN_KEY if server.is_stand_in else server.api_key


def content(server: ConnectServer, name: str) -> dict[str, object]:
    return dict(server.api("POST", "v1/content", {"name": prefixed(name)}))


def test_content_made_without_a_name_gets_one(server: ConnectServer) -> None:
    if not server.is_stand_in:
        not_applicable("an item without a name cannot carry the run's prefix")
    made = server.api("POST", "v1/content", {})
    assert isinstance(made["name"], str) and len(made["name"]) >= 3
    assert server.content_by_name(made["name"])["guid"] == made["guid"]


def test_owner_and_vanity_url_come_only_when_included(server: ConnectServer) -> None:
    item = content(server, "included")
    plain = server.api("GET", f"v1/content/{item['guid']}")
    assert "owner" not in plain and "vanity_url" not in plain
    full = server.api("GET", f"v1/content/{item['guid']}?include=owner,tags,vanity_url")
    assert full["owner"]["guid"] == server.api("GET", "v1/user")["guid"]
    assert "vanity_url" not in full and "tags" not in full  # none set: absent, not null
    path = f"/{prefixed('included')}/"
    server.api("PUT", f"v1/content/{item['guid']}/vanity", {"path": path})
    full = server.api("GET", f"v1/content/{item['guid']}?include=vanity_url")
    assert full["vanity_url"] == server.url + path
    listed = server.api("GET", f"v1/content?name={item['name']}&include=owner")
    assert [c["owner"]["guid"] for c in listed] == [full["owner_guid"]]
    status, error = server.request("GET", f"__api__/v1/content/{item['guid']}?include=colour")
    assert (status, error["code"]) == (400, 161)


def test_vanity_paths_follow_connects_published_rules(server: ConnectServer) -> None:
    item = content(server, "vanity-rules")
    guid = item["guid"]
    for reserved in ("/apps-of-mine/", "/connect/x/", "/__api__/x/", "/Content/x/", "/login-here/"):
        status, error = server.request(
            "PUT", f"__api__/v1/content/{guid}/vanity", {"path": reserved}
        )
        assert (status, error["code"]) == (400, 52), reserved
    outer = f"/{prefixed('outer')}/"
    server.api("PUT", f"v1/content/{guid}/vanity", {"path": outer})
    other = content(server, "vanity-nested")
    status, error = server.request(
        "PUT", f"__api__/v1/content/{other['guid']}/vanity", {"path": outer + "inner/"}
    )
    assert (status, error["code"]) == (409, 51)


def test_groups_are_made_filled_emptied_and_deleted(server: ConnectServer) -> None:
    client = Client(url=server.url, api_key=server.api_key)
    group = client.groups.create(name=prefixed("friends"))
    me = client.me["guid"]
    assert group.members.count() == 0
    group.members.add(user_guid=me)
    assert [u["guid"] for u in group.members.find()] == [me]
    status, error = server.request(
        "POST", f"__api__/v1/groups/{group['guid']}/members", {"user_guid": me}
    )
    assert (status, error["code"]) == (409, 16)
    group.members.delete(user_guid=me)
    assert group.members.count() == 0
    group.delete()
    status, error = server.request("GET", f"__api__/v1/groups/{group['guid']}")
    assert status == 404


def test_an_administrator_adds_and_locks_users(server: ConnectServer) -> None:
    client = Client(url=server.url, api_key=admin_key(server))
    name = prefixed("aron")
    aron = client.users.create(username=name, email=f"{name}@example.com", password="s3cur3p@ss")
    assert client.users.find_one(prefix=name) == aron
    status, error = server.request(
        "POST",
        "__api__/v1/users",
        {"username": name, "password": "s3cur3p@ss"},
        key=admin_key(server),
    )
    assert (status, error["code"]) == (409, 8)
    aron.lock()
    assert [u["guid"] for u in client.users.find(prefix=name, account_status="locked")] == [
        aron["guid"]
    ]
    aron.unlock()
    assert client.users.find(prefix=name, account_status="locked") == []


def _archive(manifest: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in {
            "manifest.json": json.dumps(manifest).encode(),
            "app.py": GREETING_APP.encode(),
            "requirements.txt": b"dash==4.4.1\n",
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def upload_bundle(server: ConnectServer, guid: str, python_version: str) -> dict[str, Any]:
    """Upload the greeting app as a bundle whose manifest asks for ``python_version``."""
    manifest = {
        "version": 1,
        "metadata": {"appmode": "python-dash", "entrypoint": "app"},
        "python": {"version": python_version, "package_manager": {"name": "pip"}},
        "files": {},
    }
    response = requests.post(
        f"{server.url}/__api__/v1/content/{guid}/bundles",
        data=_archive(manifest),
        headers={"Authorization": f"Key {server.api_key}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    bundle: dict[str, Any] = response.json()
    return bundle


def test_a_bundle_record_has_connects_fields_and_the_manifest_python(
    server: ConnectServer,
) -> None:
    item = content(server, "bundle-shape")
    version = ".".join(map(str, sys.version_info[:3]))
    bundle = upload_bundle(server, str(item["guid"]), version)
    assert set(bundle) >= BUNDLE_FIELDS and not [k for k in bundle if k.startswith("x_")]
    assert bundle["py_version"] == version and bundle["active"] is False


def test_an_unknown_api_path_is_connects_404(server: ConnectServer) -> None:
    status, error = server.request("GET", "__api__/v1/no-such-endpoint")
    assert (status, error["code"]) == (404, 2)


def test_changed_environment_variables_restart_the_content(
    server: ConnectServer, tmp_path: Path
) -> None:
    folder = make_bundle_dir(tmp_path, prefixed("greeting"), app=GREETING_APP)
    # rsconnect names new content after its title: the title carries the prefix
    guid = deployed_guid(deploy(server, folder, prefixed("greeting")))
    server.api("PATCH", f"v1/content/{guid}", {"access_type": "all"})
    page = f"{server.url}/content/{guid}/_dash-layout"
    headers = {"Authorization": f"Key {server.api_key}"}
    assert "greeting=unset" in requests.get(page, headers=headers, timeout=120).text
    server.api("PATCH", f"v1/content/{guid}/environment", [{"name": "GREETING", "value": "hi"}])
    assert "greeting=hi" in requests.get(page, headers=headers, timeout=120).text


def wait_for_task(server: ConnectServer, task_id: str) -> dict[str, Any]:
    """The finished task (Connect's long poll: ``wait`` seconds per call)."""
    output: list[str] = []
    while True:
        task = server.api("GET", f"v1/tasks/{task_id}?first={len(output)}&wait=5")
        output += task["output"]
        if task["finished"]:
            return {**task, "output": output}


def test_a_python_the_server_lists_but_lacks_fails_the_build(
    connect_server: ConnectServers,
) -> None:
    this = ".".join(map(str, sys.version_info[:3]))
    claimed = ["--python-versions", f"{this},3.99.0"]
    with connect_server.start("pythons", extra_args=claimed) as server:
        item = content(server, "python-399")
        bundle = upload_bundle(server, str(item["guid"]), "3.99.0")
        started = server.api(
            "POST", f"v1/content/{item['guid']}/deploy", {"bundle_id": bundle["id"]}
        )
        task = wait_for_task(server, started["task_id"])
    assert task["code"] != 0
    assert any("uv venv --python 3.99.0 failed" in line for line in task["output"]), task


def test_an_administrator_renames_moves_and_deletes_tags(server: ConnectServer) -> None:
    key = admin_key(server)
    top = server.api_as(key, "POST", "v1/tags", {"name": prefixed("tag-top")})
    body = {"name": prefixed("tag-child"), "parent_id": top["id"]}
    child = server.api_as(key, "POST", "v1/tags", body)
    other = server.api_as(key, "POST", "v1/tags", {"name": prefixed("tag-other")})
    renamed = server.api_as(key, "PATCH", f"v1/tags/{child['id']}", {"name": prefixed("tag-new")})
    assert (renamed["name"], renamed["parent_id"]) == (prefixed("tag-new"), top["id"])
    moved = server.api_as(key, "PATCH", f"v1/tags/{child['id']}", {"parent_id": other["id"]})
    assert moved["parent_id"] == other["id"]

    item = content(server, "tagged-by-tree")
    server.api_as(key, "POST", f"v1/content/{item['guid']}/tags", {"tag_id": child["id"]})
    tagged = server.api_as(key, "GET", f"v1/tags/{child['id']}/content")
    assert [c["guid"] for c in tagged] == [item["guid"]]
    assert server.request("DELETE", f"__api__/v1/tags/{other['id']}", key=key)[0] == 204
    for gone in (other, child):  # a tag goes with the tags below it
        assert server.request("GET", f"__api__/v1/tags/{gone['id']}", key=key)[0] == 404
    assert server.request("DELETE", f"__api__/v1/tags/{top['id']}", key=key)[0] == 204


def test_an_administrator_changes_a_user(server: ConnectServer) -> None:
    key = admin_key(server)
    name = prefixed("ursula")
    body = {"username": name, "email": f"{name}@example.com", "password": "s3cur3p@ss"}
    user = server.api_as(key, "POST", "v1/users", body)
    change = {"first_name": "Ursula", "user_role": "publisher"}
    changed = server.api_as(key, "PUT", f"v1/users/{user['guid']}", change)
    assert (changed["first_name"], changed["user_role"]) == ("Ursula", "publisher")
    assert server.api_as(key, "GET", f"v1/users/{user['guid']}")["first_name"] == "Ursula"
