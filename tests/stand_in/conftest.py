"""Fixtures for the stand-in's tests: one shared stand-in, small bundles, the real CLI."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.connect_local.launch import ConnectApi, ConnectLocal, running_connect_local

RSCONNECT = str(Path(sys.executable).parent / "rsconnect")
CONTENT_URL = re.compile(r"/content/(?P<guid>[0-9a-f-]{36})/")

# A Dash app that greets whoever Connect's header names: what the browser checks.
VISITOR_APP = """\
import json

import flask
from dash import Dash, Input, Output, html

app = Dash(__name__, title="Visitor greeting")
app.layout = html.Div([html.H1("Who is here?"), html.P(id="greeting")])


@app.callback(Output("greeting", "children"), Input("greeting", "id"))
def greet(_: str) -> str:
    raw = flask.request.headers.get("RStudio-Connect-Credentials")
    user = json.loads(raw)["user"] if raw else "anonymous"
    return f"Hello, {user}!"
"""
REQUIREMENTS = "dash==4.4.1\n"
# Users with their own API keys, one of each role (and a second publisher).
BOB, CAROL, ROOT, VIC = "bob-key", "carol-key", "root-key", "vic-key"
KEYED_USERS = [
    ("bob", "publisher", BOB),
    ("carol", "publisher", CAROL),
    ("root", "administrator", ROOT),
    ("vic", "viewer", VIC),
]


def make_bundle_dir(
    parent: Path, name: str, *, app: str = VISITOR_APP, requirements: str = REQUIREMENTS
) -> Path:
    """A deployable folder: app.py and requirements.txt (rsconnect writes the manifest)."""
    folder = parent / name
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(app)
    (folder / "requirements.txt").write_text(requirements)
    return folder


def tar_gz(files: dict[str, bytes]) -> bytes:
    """A tar.gz archive holding ``files`` (name -> content)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def rsconnect(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a subprocess, with no CONNECT_* settings from the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    return subprocess.run(
        [RSCONNECT, *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def deploy(
    connect: ConnectApi, folder: Path, title: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return rsconnect(
        "deploy",
        "dash",
        "-s",
        connect.url,
        "-k",
        connect.api_key,
        "--title",
        title,
        *extra,
        str(folder),
    )


def deployed_guid(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    match = CONTENT_URL.search(output)
    assert result.returncode == 0 and match, f"rsconnect failed ({result.returncode}):\n{output}"
    return match["guid"]


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    """One stand-in per test module; tests use distinct content names."""
    state = tmp_path_factory.mktemp("connect") / "state"
    with running_connect_local(
        state,
        default_visitor="alice:analysts",
        users=["bob:sales"],
        environments_dir=environments_dir,
    ) as server:
        yield server


@pytest.fixture
def faulty_connect(connect: ConnectLocal) -> Iterator[ConnectLocal]:
    """The shared stand-in, with every injected fault cleared afterwards."""
    try:
        yield connect
    finally:
        connect.clear_faults()
