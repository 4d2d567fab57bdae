"""The dashboard's two fences agree: Connect's ACL groups = the app's own gate."""

from __future__ import annotations

import subprocess
import sys

from scripts.catalog import find_app
from scripts.deploy.settings import load_settings


def test_deploy_groups_match_the_apps_default_gate() -> None:
    app = find_app("group-dashboard")
    probe = "from sales.settings import load_settings; print(*load_settings({}).allowed_groups)"
    gate = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=app.path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    settings = load_settings(app)
    assert settings.access_type == "acl"
    assert sorted(settings.groups) == sorted(gate)
