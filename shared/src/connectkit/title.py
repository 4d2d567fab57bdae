"""The app's title: one fact, kept in the app's ``pyproject.toml``.

``[tool.monorepo.deploy] title`` is what the deploy gives Connect (the content
title) and what the browser tab and the navbar show, so changing it there
changes both. A bundle carries no ``pyproject.toml`` (``requirements.txt``
replaces it): ``make bundles`` writes the same title to ``app-title.txt``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

BUNDLED_TITLE_FILE = "app-title.txt"


def app_title(app_dir: Path) -> str:
    """The title in ``pyproject.toml``, else the bundle's, else the folder's name."""
    pyproject = app_dir / "pyproject.toml"
    if pyproject.is_file():
        tool = tomllib.loads(pyproject.read_text()).get("tool", {})
        title = tool.get("monorepo", {}).get("deploy", {}).get("title", "")
        if isinstance(title, str) and title.strip():
            return title.strip()
    bundled = app_dir / BUNDLED_TITLE_FILE
    text = bundled.read_text().strip() if bundled.is_file() else ""
    return text or app_dir.name


def title_of_module(import_name: str) -> str:
    """The title of the app whose module is ``import_name``: its folder's, or, for
    a module not in ``sys.modules``, the working directory's (Flask's rule for
    an app's root)."""
    module_file = getattr(sys.modules.get(import_name), "__file__", None)
    return app_title(Path(module_file).parent if module_file else Path.cwd())
