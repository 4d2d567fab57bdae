"""Every app under apps/ opens cleanly in headless Chromium, under a random
Connect-like prefix, served by the same runner as ``make run``.

A new folder under apps/ is picked up here without editing this file. An app
whose page needs a signed-in visitor names one in its pyproject.toml:
``[tool.monorepo.smoke] user = "..." groups = [...]``, and settings to serve it
with in ``env = {...}``, where ``{tmp}`` stands for a new empty folder of this
test run (an app that builds data at its first start builds it there, every
run, never reusing a file an earlier run left).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.browser.smoke import AppPage
from scripts.catalog import AppInfo, discover_apps, smoke_env, smoke_visitor

APPS = discover_apps()


@pytest.mark.browser
@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_app_opens_cleanly(app: AppInfo, browser: Any, served_app: Any, tmp_path: Path) -> None:
    visitor = smoke_visitor(app)
    env = smoke_env(app, tmp_path / "fresh")
    with served_app(app.name, user=visitor.user, groups=visitor.groups, env=env) as served:
        AppPage(browser, served, label=f"smoke-{app.name}").open().check()


def test_every_app_folder_is_discovered() -> None:
    from scripts.catalog import APPS_DIR

    folders = sorted(p.parent.name for p in APPS_DIR.glob("*/app.py"))
    assert [a.name for a in APPS] == folders
    assert "hello" in folders


def test_smoke_env_puts_tmp_folders_in(tmp_path: Path) -> None:
    [dashboard] = [a for a in APPS if a.name == "group-dashboard"]
    env = smoke_env(dashboard, tmp_path)
    assert env["DASHBOARD_DUCKDB"].startswith(f"{tmp_path}/")  # built fresh, every run
    assert not Path(env["DASHBOARD_DUCKDB"]).exists()
