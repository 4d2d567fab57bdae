"""What gunicorn loads in an app's environment: the bundle's entrypoint, Connect-style.

``CONNECT_LOCAL_ENTRYPOINT=app:app`` imports module ``app`` (the bundle folder
is on sys.path) and serves the object ``app``; a Dash object is served through
its Flask ``server``. This file is alone in its folder so that putting the
folder on sys.path adds no other module names. An import error prints the
full traceback (gunicorn's preload would print only the message).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any


def load(entrypoint: str) -> Any:
    module_name, _, attribute = entrypoint.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in (attribute or "app").split("."):
            target = getattr(target, part)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        raise
    server = getattr(target, "server", None)
    return server if callable(server) else target


application = load(os.environ.get("CONNECT_LOCAL_ENTRYPOINT", "app:app"))
