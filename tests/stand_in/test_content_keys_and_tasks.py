"""Two of the stand-in's keys to the kingdom, closed: what a content process is given, and tasks.

A content process gets a ``CONNECT_API_KEY`` of its own: the API takes it as
the content's owner, ``/__login__`` refuses it (it is the app's, no person's;
before, it was the publisher's key, with which anyone could sign in as anyone).
A task (``GET v1/tasks/{id}``: its build log) is readable by who started it
and by administrators only.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import (
    BOB,
    CAROL,
    KEYED_USERS,
    ROOT,
    deployed_guid,
    make_bundle_dir,
    rsconnect,
)

# An app that shows the key it was given: only so the test can try it.
KEY_APP = """\
import os

from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div([html.P(os.environ.get("CONNECT_API_KEY", ""), id="key")])
"""


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("connect") / "state"
    with running_connect_local(
        state, users=KEYED_USERS, environments_dir=environments_dir
    ) as server:
        yield server


@pytest.fixture(scope="module")
def guid(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = make_bundle_dir(tmp_path_factory.mktemp("app"), "key-app", app=KEY_APP)
    result = rsconnect("deploy", "dash", "-s", connect.url, "-k", BOB, str(folder))
    return deployed_guid(result)


@pytest.fixture(scope="module")
def content_key(connect: ConnectLocal, guid: str) -> str:
    status, layout = connect.request("GET", f"content/{guid}/_dash-layout", key=BOB)
    assert status == 200, layout
    key = re.search(r'"children": "([0-9a-f]+)"', json.dumps(layout))
    assert key is not None, layout
    return key[1]


def test_the_content_key_acts_as_the_owner_in_the_api(
    connect: ConnectLocal, content_key: str
) -> None:
    assert content_key not in {BOB, connect.api_key}
    assert connect.api_as(content_key, "GET", "v1/user")["username"] == "bob"


def test_no_one_signs_in_with_the_content_key(connect: ConnectLocal, content_key: str) -> None:
    for user in ("", "bob", "root"):
        form = urllib.parse.urlencode({"token": content_key, "user": user, "next": "/"})
        request = urllib.request.Request(connect.url + "/__login__", form.encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)
        with refused.value as error:
            assert error.code == 403
            assert "cannot sign in" in error.read().decode()


def test_a_task_is_readable_by_its_owner_and_administrators_only(
    connect: ConnectLocal, guid: str
) -> None:
    bundle = connect.api_as(BOB, "GET", f"v1/content/{guid}")["bundle_id"]
    task = connect.api_as(BOB, "POST", f"v1/content/{guid}/deploy", {"bundle_id": bundle})
    path = f"__api__/v1/tasks/{task['task_id']}"
    assert connect.request("GET", path, key=BOB)[0] == 200
    assert connect.request("GET", path, key=ROOT)[0] == 200  # an administrator
    status, payload = connect.request("GET", path, key=CAROL)  # another publisher
    assert status == 404 and "does not exist" in payload["error"]
