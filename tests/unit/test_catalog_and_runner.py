"""App discovery and the runner's command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT, UnknownAppError, discover_apps, find_app


def test_discovers_folders_with_app_py(tmp_path: Path) -> None:
    for name in ("beta", "alpha"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text("")
    (tmp_path / "not-an-app").mkdir()
    assert [a.name for a in discover_apps(tmp_path)] == ["alpha", "beta"]


def test_unknown_app_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "app.py").write_text("")
    with pytest.raises(UnknownAppError, match=r"'nope'.*expected one of: alpha"):
        find_app("nope", tmp_path)


def test_run_with_unknown_app_exits_with_the_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.local.run", "no-such-app"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "no app named 'no-such-app'" in result.stderr
    assert "hello" in result.stderr


def test_make_list_prints_the_apps() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "list"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "hello" in result.stdout.split()
