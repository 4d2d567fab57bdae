"""Import an app's module in the test process, as Connect imports it."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from scripts.catalog import find_app


def load_app_module(name: str) -> ModuleType:
    """Execute ``apps/<name>/app.py`` under a unique module name and return it.

    The app folder is on ``sys.path`` while it loads, so its own modules import
    as they do on Connect. Only for pure functions: callbacks run in the browser
    tests, against an app served in its own process.
    """
    app = find_app(name)
    module_name = f"app_under_test_{name.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, app.module_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {app.module_file}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(app.path))
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(app.path))
    return module
