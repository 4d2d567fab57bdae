"""The usage app's ``visits`` package, imported as Connect would (the app folder on the path)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from scripts.catalog import find_app

APP_DIR = find_app("usage").path
LAYERS = ("summary", "fetch", "filters", "views")


@pytest.fixture(scope="module")
def visits() -> Iterator[dict[str, ModuleType]]:
    sys.path.insert(0, str(APP_DIR))
    try:
        yield {name: importlib.import_module(f"visits.{name}") for name in LAYERS}
    finally:
        sys.path.remove(str(APP_DIR))
        for name in [m for m in sys.modules if m == "visits" or m.startswith("visits.")]:
            del sys.modules[name]
