"""Throwaway copies of the workspace, and clean virtualenvs for bundles.

Bundles export their pins from ``uv.lock``, so a fixture app must be a
workspace member: ``scratch_workspace`` copies the root project, ``shared/`` and
the given app folders into a temporary tree and re-locks it. uv works offline
first (from its cache: fast), and online when the cache lacks something, as on
a new machine whose cache holds only what ``uv sync`` fetched.
``import_in_clean_venv`` proves a bundle runs on its own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from scripts.bundle.build import uv_executable
from scripts.catalog import REPO_ROOT
from scripts.checks.app_import import check_import

# What a fixture app declares when it brings no pyproject.toml of its own.
_DEFAULT_PYPROJECT = """\
[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["connectkit", "dash>=4.4"]

[tool.uv]
package = false

[tool.uv.sources]
connectkit = {{ workspace = true }}
"""


def _uv(*args: str, cwd: Path) -> None:
    result = subprocess.run(
        [uv_executable(), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args)} failed:\n{result.stderr}")


def _uv_offline_first(*args: str, cwd: Path) -> None:
    """``uv *args`` from the cache alone; from the package index when that is not enough."""
    try:
        _uv(*args, "--offline", cwd=cwd)
    except RuntimeError:
        _uv(*args, cwd=cwd)


def scratch_workspace(root: Path, apps: Mapping[str, Path | Mapping[str, str]]) -> Path:
    """A workspace at ``root`` whose apps are ``apps`` (a folder, or {file: text})."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(REPO_ROOT / name, root / name)
    shutil.copytree(
        REPO_ROOT / "shared", root / "shared", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name, source in apps.items():
        target = root / "apps" / name
        if isinstance(source, Path):
            shutil.copytree(source, target)
        else:
            target.mkdir(parents=True)
            for relative, text in source.items():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                (target / relative).write_text(text)
        if not (target / "pyproject.toml").exists():
            (target / "pyproject.toml").write_text(_DEFAULT_PYPROJECT.format(name=name))
    _uv_offline_first("lock", "--quiet", cwd=root)
    return root


def import_in_clean_venv(bundle_dir: Path, work_dir: Path) -> None:
    """Install the bundle's requirements.txt alone into a fresh venv and import app:app.

    The bundle is copied outside the repository first, so nothing from the
    workspace is within reach. Raises AppCheckError naming what failed.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    venv = work_dir / "venv"
    _uv("venv", "--offline", "--quiet", "--python", sys.executable, str(venv), cwd=work_dir)
    python = venv / "bin" / "python"
    requirements = bundle_dir / "requirements.txt"
    install = ("pip", "install", "--quiet", "--python", str(python), "-r", str(requirements))
    # `uv sync` caches wheels but not every index page `uv pip` needs.
    _uv_offline_first(*install, cwd=work_dir)
    isolated = work_dir / "bundle"
    shutil.copytree(bundle_dir, isolated)
    check_import(isolated, python=str(python))
