"""Drafts for editors only, bundle download and delete, old servers, the server's Pythons."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import BOB, CAROL, KEYED_USERS, REQUIREMENTS, ROOT, VIC, tar_gz
from tests.stand_in.test_deploy import visit

THIS_PYTHON = ".".join(map(str, sys.version_info[:3]))


def dash_bundle(heading: str, python: str = THIS_PYTHON, requires: str | None = None) -> bytes:
    """A Dash bundle whose page says ``heading``, with a manifest like rsconnect's."""
    manifest: dict[str, Any] = {
        "version": 1,
        "metadata": {"appmode": "python-dash", "entrypoint": "app"},
        "python": {
            "version": python,
            "package_manager": {"name": "pip", "package_file": "requirements.txt"},
        },
        "files": {},
    }
    if requires:
        manifest["environment"] = {"python": {"requires": requires}}
    app = f"from dash import Dash, html\napp = Dash(__name__)\napp.layout = html.H1({heading!r})\n"
    return tar_gz(
        {
            "manifest.json": json.dumps(manifest).encode(),
            "app.py": app.encode(),
            "requirements.txt": REQUIREMENTS.encode(),
        }
    )


def upload(connect: ConnectLocal, key: str, guid: str, archive: bytes) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{connect.url}/__api__/v1/content/{guid}/bundles",
        data=archive,
        method="POST",
        headers={"Authorization": f"Key {key}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        bundle: dict[str, Any] = json.loads(response.read())
    return bundle


def deploy_and_wait(
    connect: ConnectLocal, key: str, guid: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The finished deploy task (its ``code`` says whether it worked)."""
    task_id = connect.api_as(key, "POST", f"v1/content/{guid}/deploy", body)["task_id"]
    first = 0
    while True:
        task: dict[str, Any] = connect.api_as(
            key, "GET", f"v1/tasks/{task_id}?first={first}&wait=5"
        )
        if task["finished"]:
            return task
        first = task["last"]


def page(connect: ConnectLocal, path: str, key: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Key {key}"} if key else {}
    status, text, _ = visit(connect, path, headers=headers, visitor="")
    return status, text


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("drafts") / "state"
    with running_connect_local(
        state, users=KEYED_USERS, environments_dir=environments_dir
    ) as server:
        yield server


@pytest.fixture(scope="module")
def live_and_draft(connect: ConnectLocal) -> tuple[str, str, str]:
    """Bob's public content: bundle one active, bundle two built as a draft."""
    guid = connect.api_as(BOB, "POST", "v1/content", {"name": "drafted"})["guid"]
    connect.api_as(BOB, "PATCH", f"v1/content/{guid}", {"access_type": "all"})
    live = upload(connect, BOB, guid, dash_bundle("Live version"))["id"]
    assert deploy_and_wait(connect, BOB, guid, {"bundle_id": live})["code"] == 0
    draft = upload(connect, BOB, guid, dash_bundle("Draft version"))["id"]
    task = deploy_and_wait(connect, BOB, guid, {"bundle_id": draft, "activate": False})
    assert task["code"] == 0, task["output"]
    return guid, live, draft


def test_a_draft_leaves_the_active_bundle_serving(
    connect: ConnectLocal, live_and_draft: tuple[str, str, str]
) -> None:
    guid, live, draft = live_and_draft
    assert connect.api_as(BOB, "GET", f"v1/content/{guid}")["bundle_id"] == live
    status, text = page(connect, f"/content/{guid}/_dash-layout", None)
    assert status == 200 and "Live version" in text
    bundles = {
        b["id"]: b["active"] for b in connect.api_as(BOB, "GET", f"v1/content/{guid}/bundles")
    }
    assert bundles == {live: True, draft: False}


def test_a_draft_is_served_to_its_editors_only(
    connect: ConnectLocal, live_and_draft: tuple[str, str, str]
) -> None:
    guid, _, draft = live_and_draft
    path = f"/content/{guid}/_bundle{draft}/"
    status, text = page(connect, path + "_dash-layout", BOB)
    assert status == 200 and "Draft version" in text
    assert page(connect, path, ROOT)[0] == 200  # administrators edit everything
    assert page(connect, path, VIC)[0] == 403  # the content is public, its draft is not
    assert page(connect, path, CAROL)[0] == 403
    assert page(connect, path, None)[0] == 302  # anonymous: sent to log in
    carol = connect.api_as(CAROL, "GET", "v1/user")["guid"]
    grant = {"principal_guid": carol, "principal_type": "user", "role": "owner"}
    permission = connect.api_as(BOB, "POST", f"v1/content/{guid}/permissions", grant)
    try:
        assert page(connect, path, CAROL)[0] == 200  # a collaborator
    finally:
        connect.api_as(BOB, "DELETE", f"v1/content/{guid}/permissions/{permission['id']}")


def test_bundle_download_gives_back_the_upload(connect: ConnectLocal) -> None:
    guid = connect.api_as(BOB, "POST", "v1/content", {"name": "downloaded"})["guid"]
    archive = dash_bundle("Downloaded")
    bundle = upload(connect, BOB, guid, archive)
    assert {"id", "content_guid", "active", "created_time", "size"} <= set(bundle)
    assert (bundle["content_guid"], bundle["active"], bundle["size"]) == (guid, False, len(archive))
    request = urllib.request.Request(
        f"{connect.url}/__api__/v1/content/{guid}/bundles/{bundle['id']}/download",
        headers={"Authorization": f"Key {BOB}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.read() == archive
    path = f"__api__/v1/content/{guid}/bundles/{bundle['id']}/download"
    assert connect.request("GET", path, key=CAROL)[0] == 403
    missing = f"__api__/v1/content/{guid}/bundles/999999/download"
    assert connect.request("GET", missing, key=BOB)[0] == 404


def test_only_a_bundle_that_is_not_active_can_be_deleted(
    connect: ConnectLocal, live_and_draft: tuple[str, str, str]
) -> None:
    guid, live, draft = live_and_draft
    status, error = connect.request("DELETE", f"__api__/v1/content/{guid}/bundles/{live}", key=BOB)
    assert (status, error["code"]) == (400, 75) and "active bundle" in error["error"]
    assert (
        connect.request("DELETE", f"__api__/v1/content/{guid}/bundles/{draft}", key=CAROL)[0] == 403
    )
    assert (
        connect.request("DELETE", f"__api__/v1/content/{guid}/bundles/{draft}", key=BOB)[0] == 204
    )
    ids = [b["id"] for b in connect.api_as(BOB, "GET", f"v1/content/{guid}/bundles")]
    assert ids == [live]
    assert page(connect, f"/content/{guid}/_bundle{draft}/", BOB)[0] == 404
    assert not (connect.state_dir / "content" / guid / "bundles" / draft).exists()
    assert page(connect, f"/content/{guid}/", None)[0] == 200


@pytest.fixture(scope="module")
def old_connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("old") / "state"
    flags = ["--python-versions", "3.10.4,3.12.1"]
    with running_connect_local(state, version="2025.01.0", extra_args=flags) as server:
        yield server


def test_a_server_before_2025_06_refuses_activate(old_connect: ConnectLocal) -> None:
    guid = old_connect.api("POST", "v1/content", {"name": "old-server"})["guid"]
    bundle = upload(old_connect, old_connect.api_key, guid, dash_bundle("Old"))["id"]
    for activate in (False, True):
        body = {"bundle_id": bundle, "activate": activate}
        status, error = old_connect.request("POST", f"__api__/v1/content/{guid}/deploy", body)
        assert status == 400 and "2025.06.0" in error["error"], error
    assert old_connect.api("GET", f"v1/content/{guid}")["bundle_id"] is None


def test_python_versions_are_listed_and_enforced(old_connect: ConnectLocal) -> None:
    status, _ = old_connect.request("GET", "__api__/v1/server_settings/python", key="wrong")
    assert status == 401
    listed = old_connect.api("GET", "v1/server_settings/python")["installations"]
    assert [i["version"] for i in listed] == ["3.10.4", "3.12.1"]
    guid = old_connect.api("POST", "v1/content", {"name": "wrong-python"})["guid"]
    for archive, asked in [
        (dash_bundle("Py", python="3.11.9"), "Python 3.11;"),
        (dash_bundle("Py", requires="~=3.11.0"), "Python ~=3.11.0;"),
    ]:
        bundle = upload(old_connect, old_connect.api_key, guid, archive)["id"]
        task = deploy_and_wait(old_connect, old_connect.api_key, guid, {"bundle_id": bundle})
        assert task["code"] != 0
        assert f"asks for {asked} this server has Python 3.10.4, 3.12.1" in task["error"]
    assert old_connect.api("GET", f"v1/content/{guid}")["bundle_id"] is None


def test_this_interpreter_is_the_default_python(connect: ConnectLocal) -> None:
    listed = connect.api("GET", "v1/server_settings/python")["installations"]
    assert listed == [{"version": THIS_PYTHON}]
