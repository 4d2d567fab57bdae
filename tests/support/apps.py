"""Import an app in the test process, as Connect would (its folder on sys.path).

For tests that drive the Flask test client directly. Each app module gets a
unique name; its own modules and packages (``sales``...) import by their own names.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def app_built_with(name: str, env: dict[str, str]) -> Iterator[ModuleType]:
    """For module-scoped fixtures: the app built with exactly ``env`` on top of a
    cleaned environment (the function-scoped clean-up has not run yet there)."""
    from tests.conftest import LEAKY_ENV_PREFIXES

    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith(LEAKY_ENV_PREFIXES):
                patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        yield import_app(name, patch)
