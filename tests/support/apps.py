"""Import an app in the test process, as Connect would (its folder on sys.path).

For tests that drive the Flask test client directly. Each app module gets a
unique name; its sibling modules (``sales_data``...) import by their own names.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from scripts.catalog import find_app


def import_app(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Run ``apps/<name>/app.py`` with the current environment; returns the module."""
    info = find_app(name)
    monkeypatch.syspath_prepend(str(info.path))
    module_name = f"_app_under_test_{name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, info.module_file)
    assert spec and spec.loader, f"cannot load {info.module_file}"
    module = importlib.util.module_from_spec(spec)
    # Flask finds the app's root (and Dash its assets/) through sys.modules.
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module
