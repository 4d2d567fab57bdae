"""Is an app folder deployable? Found here, before anything is uploaded.

Three checks, cheapest first: the folder has an ``app.py``; every ``.py`` file
compiles; importing ``app`` (in a child process, the folder first on the
import path, as Connect does) works and gives a module-level Dash ``app``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from scripts.catalog import app_python_sources
from scripts.checks.app_environment import app_environment

IMPORT_TIMEOUT_S = 180.0  # a large app may build its data at import

# Runs in a child process so that a broken app cannot break the caller, and so
# that each app gets the process-wide Dash registries to itself.
_IMPORT_PROBE = """
import importlib, sys, traceback
sys.path.insert(0, ".")
try:
    module = importlib.import_module("app")
except BaseException as error:
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f"{f.filename}:{f.lineno}" for f in reversed(frames)
                  if not f.filename.startswith(sys.prefix)), "")
    print(f"importing app.py failed: {type(error).__name__}: {error}"
          + (f" (at {where})" if where else ""), file=sys.stderr)
    raise SystemExit(3)
app = getattr(module, "app", None)
if app is None:
    print("app.py defines no module-level `app` (the entrypoint is app:app)", file=sys.stderr)
    raise SystemExit(4)
if not hasattr(app, "server") or not hasattr(app, "layout"):
    print(f"`app` in app.py is a {type(app).__name__}, not a Dash object", file=sys.stderr)
    raise SystemExit(4)
"""


class AppCheckError(ValueError):
    """An app folder that cannot be deployed; the message says why and where."""


def check_has_entrypoint(folder: Path) -> None:
    if not (folder / "app.py").is_file():
        raise AppCheckError(
            f"{folder} has no app.py; every app folder needs one defining `app` "
            "(Connect's entrypoint app:app)"
        )


def check_syntax(folder: Path) -> None:
    for source in app_python_sources(folder):
        try:
            compile(source.read_bytes(), str(source), "exec")
        except SyntaxError as error:
            raise AppCheckError(f"{source}:{error.lineno}: syntax error: {error.msg}") from None


def check_import(
    folder: Path, python: str = sys.executable, environ: Mapping[str, str] | None = None
) -> None:
    """Import ``app:app`` from ``folder`` in a child process using ``python``.

    App code runs here: the child gets ``environ`` (default: the allow-list of
    ``app_environment`` with nothing declared), never the caller's whole environment.
    """
    try:
        result = subprocess.run(
            [python, "-c", _IMPORT_PROBE],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=IMPORT_TIMEOUT_S,
            env=_child_environment(app_environment() if environ is None else environ),
        )
    except subprocess.TimeoutExpired:
        raise AppCheckError(
            f"{folder / 'app.py'}: importing it took more than {IMPORT_TIMEOUT_S:.0f}s"
        ) from None
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise AppCheckError(f"{folder / 'app.py'}: {lines[-1]}")


def _child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    # PYTHONPATH would let the child import what the bundle does not carry.
    env = {k: v for k, v in environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in a bundle
    return env
