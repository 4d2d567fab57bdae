"""Every app under apps/ opens cleanly in headless Chromium, under a random
Connect-like prefix, served by the same runner as ``make run``.

A new folder under apps/ is picked up here without editing this file. An app
whose page needs a signed-in visitor names one in its pyproject.toml:
``[tool.monorepo.smoke] user = "..." groups = [...]``.
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.browser.smoke import AppPage
from scripts.catalog import AppInfo, discover_apps, smoke_visitor

APPS = discover_apps()


@pytest.mark.browser
@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_app_opens_cleanly(app: AppInfo, browser: Any, served_app: Any) -> None:
    visitor = smoke_visitor(app)
    with served_app(app.name, user=visitor.user, groups=visitor.groups) as served:
        AppPage(browser, served, label=f"smoke-{app.name}").open().check()


def test_every_app_folder_is_discovered() -> None:
    from scripts.catalog import APPS_DIR

    folders = sorted(p.parent.name for p in APPS_DIR.glob("*/app.py"))
    assert [a.name for a in APPS] == folders
    assert "hello" in folders
