"""State and running apps survive a restart; an older Connect gets no draft step."""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path
from typing import Any

from scripts.connect_local.launch import running_connect_local
from tests.stand_in.conftest import deploy, deployed_guid, make_bundle_dir
from tests.stand_in.test_deploy import greeting, visit

OLD_CONNECT = "2025.01.0"  # before 2025.06.0: rsconnect activates in one step
RUNNING_ROW = re.compile(r"<code>(?P<guid>[0-9a-f-]{36})</code>.*?<td>running</td>")


def stable(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if not k.endswith("_url")}


def wait_until_running(url: str, guid: str, timeout: float = 180) -> None:
    """Poll the landing page until it lists ``guid`` as running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/", timeout=30) as response:
            page = response.read().decode()
        if guid in {m["guid"] for m in RUNNING_ROW.finditer(page)}:
            return
        time.sleep(0.2)  # polling interval
    raise AssertionError(f"{guid} not running after a restart; landing page:\n{page}")


def test_old_server_deploys_without_a_draft_and_everything_survives_a_restart(
    tmp_path: Path, environments_dir: Path
) -> None:
    state = tmp_path / "state"
    folder = make_bundle_dir(tmp_path, "survivor")
    with running_connect_local(
        state, version=OLD_CONNECT, default_visitor="carol:ops", environments_dir=environments_dir
    ) as connect:
        result = deploy(connect, folder, "Survivor")
        guid = deployed_guid(result)
        output = result.stdout + result.stderr
        assert "(activate)" in output and "(draft)" not in output
        connect.api("PATCH", f"v1/content/{guid}", {"access_type": "logged_in"})
        connect.api("PATCH", f"v1/content/{guid}/environment", [{"name": "KEPT", "value": "1"}])
        connect.api("PUT", f"v1/content/{guid}/vanity", {"path": "/survivor/"})
        before = connect.api("GET", f"v1/content/{guid}")

    with running_connect_local(
        state, default_visitor="carol:ops", environments_dir=environments_dir
    ) as connect:
        after = connect.api("GET", f"v1/content/{guid}")
        assert stable(after) == stable(before)  # URLs carry the new port
        wait_until_running(connect.url, guid)  # started at startup, before any visit
        assert connect.api("GET", f"v1/content/{guid}/environment") == ["KEPT"]
        assert connect.api("GET", f"v1/content/{guid}/vanity")["path"] == "/survivor/"
        status, text = greeting(connect, guid)
        assert status == 200 and "Hello, carol!" in text
        status, page, _ = visit(connect, "/survivor/")  # the vanity URL serves the app too
        assert status == 200 and f"/content/{guid}/_dash-component-suites/" in page
