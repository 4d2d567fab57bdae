"""OAuth integrations, tags and thumbnails at deploy: read and checked before the
first write, applied before activation, skipped when unchanged, version-gated.

The settings are unit-tested here; the rest runs the deploy tool with small
scratch apps against a Connect server (`connect` tests: the stand-in, or a real
one under ``make test-connect``; there they are not applicable, as they need an
OAuth integration, tags and an old version that only the stand-in makes up).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT, AppInfo
from scripts.connect_rules.thumbnails import MAX_THUMBNAIL_BYTES
from scripts.deploy.content_extras import check_server_version
from scripts.deploy.invoke import DeployRun, run_deploy_tool
from scripts.deploy.settings import SettingsError, load_settings, parse_settings
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    not_applicable,
    prefixed,
)
from tests.support.workspace import scratch_workspace

NAMESPACE = prefixed("extras")
ROOT_KEY = "extras-root-key"
HELLO_APP = (REPO_ROOT / "apps" / "hello" / "app.py").read_text()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 200


def app_files(name: str, deploy: str) -> dict[str, str]:
    return {
        "app.py": HELLO_APP,
        "pyproject.toml": (
            f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["connectkit", "dash>=4.4"]\n[tool.uv]\npackage = false\n'
            "[tool.uv.sources]\nconnectkit = { workspace = true }\n"
            f"[tool.monorepo.deploy]\n{deploy}"
        ),
    }


# -- settings, offline ------------------------------------------------------------------


def settings_in(tmp_path: Path, deploy: str, files: dict[str, bytes] | None = None) -> Any:
    folder = tmp_path / "app"
    folder.mkdir(parents=True)
    for name, text in app_files("app", deploy).items():
        (folder / name).write_text(text)
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return load_settings(AppInfo("app", folder))


def test_the_thumbnail_defaults_to_the_screenshot_when_there_is_one(tmp_path: Path) -> None:
    assert settings_in(tmp_path / "none", "").thumbnail is None
    found = settings_in(tmp_path / "png", "", {"screenshot.png": PNG})
    assert (found.thumbnail, found.thumbnail_declared) == ("screenshot.png", False)
    declared = settings_in(tmp_path / "jpg", 'thumbnail = "t.jpg"\n', {"t.jpg": b"\xff\xd8\xff1"})
    assert (declared.thumbnail, declared.thumbnail_declared) == ("t.jpg", True)
    off = settings_in(tmp_path / "off", "thumbnail = false\n", {"screenshot.png": PNG})
    assert off.thumbnail is None


@pytest.mark.parametrize(
    ("deploy", "files", "said"),
    [
        ('thumbnail = "missing.png"\n', {}, "no such file"),
        ('thumbnail = "../../etc/passwd"\n', {}, "no such file"),
        ("", {"screenshot.png": b"GIF89a..."}, "expected a PNG or JPEG"),
        ("", {"screenshot.png": b"\x89PNG\r\n\x1a\n" + b"0" * MAX_THUMBNAIL_BYTES}, "at most"),
        ("thumbnail = 3\n", {}, "deploy.thumbnail = 3"),
        ('tags = ["a//b"]\n', {}, "Parent/Child"),
        ('tags = "Samples"\n', {}, "deploy.tags"),
        ('oauth_integrations = "Connect API"\n', {}, "deploy.oauth_integrations"),
    ],
)
def test_bad_extras_are_refused_naming_the_setting(
    tmp_path: Path, deploy: str, files: dict[str, bytes], said: str
) -> None:
    with pytest.raises(SettingsError, match=said.replace("(", r"\(")):
        settings_in(tmp_path, deploy, files)


@pytest.mark.parametrize(
    ("table", "version", "refused"),
    [
        ({"oauth_integrations": ["Connect API"]}, "2024.07.1", "Connect 2024.08.0"),
        ({"oauth_integrations": ["Connect API"]}, "2024.08.0", None),
        ({"thumbnail": "t.png"}, "2024.08.0", "Connect 2024.09.0"),
        ({"oauth_integrations": ["x"], "thumbnail": "t.png"}, "2023.01.0", "2024.09.0"),
        ({}, "2023.01.0", None),  # the default screenshot is skipped, not refused
        ({"oauth_integrations": ["x"]}, "hidden", None),  # unknown: the server decides
    ],
)
def test_declared_extras_need_a_new_enough_server(
    table: dict[str, Any], version: str, refused: str | None
) -> None:
    settings = parse_settings("app", {"access_type": "logged_in", **table})
    if refused is None:
        check_server_version(settings, version)
    else:
        with pytest.raises(SettingsError, match=refused) as raised:
            check_server_version(settings, version)
        assert version in str(raised.value)


def test_integrations_are_named_by_name_or_guid_and_ambiguity_is_refused() -> None:
    from scripts.deploy.changes import SettingsRefused
    from scripts.deploy.integrations import _pick

    api = {"guid": "A1B2", "name": "Connect API", "auth_type": "Visitor API Key"}
    twin = {"guid": "C3D4", "name": "Twin", "auth_type": "Viewer"}
    other_twin = {"guid": "E5F6", "name": "Twin", "auth_type": "Viewer"}
    found = [api, twin, other_twin]
    assert _pick("Connect API", found) is api
    assert _pick("a1b2", found) is api  # GUIDs in any case
    assert _pick("E5F6", found) is other_twin
    with pytest.raises(SettingsRefused, match="give its GUID instead"):
        _pick("Twin", found)
    with pytest.raises(SettingsRefused, match="it has: 'Connect API', 'Twin', 'Twin'"):
        _pick("connect api", found)  # names are exact


def test_tag_paths_walk_the_tree() -> None:
    from scripts.deploy.tags import TagPlan, _paths, wanted_ids

    tags = [
        {"id": "1", "name": "Samples", "parent_id": None},
        {"id": "2", "name": "Dash", "parent_id": "1"},
        {"id": "3", "name": "Dash", "parent_id": None},
    ]
    known = _paths(tags)
    assert known == {"Samples": "1", "Samples/Dash": "2", "Dash": "3"}
    assert wanted_ids(TagPlan(("Samples/Dash",), known, ())) == {"1", "2"}


# -- against the stand-in ---------------------------------------------------------------


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectServer]:
    users: list[str | tuple[str, str, str]] = [("root", "administrator", ROOT_KEY), "viewer-vi"]
    with connect_server.start("extras", users=users, environments_dir=environments_dir) as server:
        if not server.is_stand_in:
            not_applicable(
                "needs the OAuth integration 'Connect API' and tags outside the run's prefix, "
                "which the stand-in makes up and a real server may not get from this suite"
            )
        yield server


def deploy(connect: ConnectServer, key: str, workspace: Path, work: Path) -> DeployRun:
    env = {"NAMESPACE": NAMESPACE, "DEPLOY_RETRY_DELAY": "0.2"}
    return run_deploy_tool(connect.url, key, work, "--workspace", str(workspace), env=env)


def thumbnail(connect: ConnectServer, guid: str, key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{connect.url}/__api__/v1/content/{guid}/thumbnail")
    request.add_header("Authorization", f"Key {key}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def content_named(connect: ConnectServer, app: str) -> list[dict[str, Any]]:
    return list(connect.api_as(ROOT_KEY, "GET", f"v1/content?name={NAMESPACE}-{app}"))


def test_extras_are_applied_before_activation_then_left_alone(
    connect: ConnectServer, tmp_path: Path
) -> None:
    deploy_table = (
        'access_type = "logged_in"\noauth_integrations = ["Connect API"]\n'
        'tags = ["Samples/Dash", "Gallery"]\n'
    )
    workspace = scratch_workspace(
        tmp_path / "ws", {"pictured": app_files("pictured", deploy_table)}
    )
    (workspace / "apps" / "pictured" / "screenshot.png").write_bytes(PNG)

    first = deploy(connect, ROOT_KEY, workspace, tmp_path / "first")
    assert first.result.returncode == 0, first.explain()
    assert "oauth integrations 1, tags +2 -0, thumbnail" in first.result.stdout, first.explain()
    guid = first.by_app()["pictured"]["guid"]
    [association] = connect.api_as(
        ROOT_KEY, "GET", f"v1/content/{guid}/oauth/integrations/associations"
    )
    assert association["oauth_integration_name"] == "Connect API"
    tags = {t["name"] for t in connect.api_as(ROOT_KEY, "GET", f"v1/content/{guid}/tags")}
    assert tags == {"Samples", "Dash", "Gallery"}
    assert thumbnail(connect, guid, ROOT_KEY) == (200, PNG)
    # the settings were written before the bundle went live: the log orders them
    out = first.result.stdout
    assert out.index("[pictured] settings applied") < out.index("[pictured] uploading")

    second = deploy(connect, ROOT_KEY, workspace, tmp_path / "second")
    assert second.result.returncode == 0, second.explain()
    assert "[pictured] settings applied: none" in second.result.stdout
    assert second.by_app()["pictured"]["status"] == "unchanged"

    # a hand-made change is put back: the tags are exactly those declared (and parents)
    gallery = next(t for t in connect.api("GET", "v1/tags") if t["name"] == "Gallery")
    removed = f"__api__/v1/content/{guid}/tags/{gallery['id']}"
    assert connect.request("DELETE", removed, key=ROOT_KEY)[0] == 204
    third = deploy(connect, ROOT_KEY, workspace, tmp_path / "third")
    assert "tags +1 -0" in third.result.stdout, third.explain()
    tags = {t["name"] for t in connect.api_as(ROOT_KEY, "GET", f"v1/content/{guid}/tags")}
    assert tags == {"Samples", "Dash", "Gallery"}


def test_refused_extras_write_nothing_and_the_other_apps_deploy(
    connect: ConnectServer, tmp_path: Path
) -> None:
    apps = {
        "open-oauth": app_files(
            "open-oauth", 'access_type = "all"\noauth_integrations = ["Connect API"]\n'
        ),
        "no-such-integration": app_files(
            "no-such-integration", 'access_type = "acl"\noauth_integrations = ["Snowflake"]\n'
        ),
        "new-tag": app_files("new-tag", 'tags = ["Not created yet"]\n'),
        "fine": app_files("fine", 'access_type = "logged_in"\n'),
    }
    workspace = scratch_workspace(tmp_path / "ws", apps)
    run = deploy(connect, connect.api_key, workspace, tmp_path / "run")  # a publisher's key
    assert run.result.returncode == 1, run.explain()
    rows = run.by_app()
    assert 'access_type = "all" cannot use the viewer integration' in rows["open-oauth"]["error"]
    assert "'Snowflake', which this server does not have" in rows["no-such-integration"]["error"]
    assert "takes an administrator" in rows["new-tag"]["error"]
    for refused in ("open-oauth", "no-such-integration", "new-tag"):
        assert rows[refused]["status"] == "failed"
        assert content_named(connect, refused) == []  # refused before the first write
    assert rows["fine"]["status"] == "created", run.explain()
    assert not any(t["name"] == "Not created yet" for t in connect.api("GET", "v1/tags"))


def test_an_older_server_refuses_only_the_apps_that_need_a_newer_one(
    connect_server: ConnectServers, environments_dir: Path, tmp_path: Path
) -> None:
    apps = {
        "with-oauth": app_files(
            "with-oauth", 'access_type = "logged_in"\noauth_integrations = ["Connect API"]\n'
        ),
        "plain": app_files("plain", 'access_type = "logged_in"\n'),
    }
    workspace = scratch_workspace(tmp_path / "ws", apps)
    (workspace / "apps" / "plain" / "screenshot.png").write_bytes(PNG)
    with connect_server.start(
        "old", environments_dir=environments_dir, extra_args=["--version", "2024.05.0"]
    ) as old:
        run = deploy(old, old.api_key, workspace, tmp_path / "run")
        rows = run.by_app()
        assert rows["with-oauth"]["status"] == "failed", run.explain()
        assert "need(s) Connect 2024.08.0 or newer" in rows["with-oauth"]["error"]
        assert "2024.05.0" in rows["with-oauth"]["error"]
        assert rows["plain"]["status"] == "created", run.explain()
        guid = rows["plain"]["guid"]
        # the default screenshot is skipped on a server without the API
        assert thumbnail(old, guid, old.api_key)[0] == 404
