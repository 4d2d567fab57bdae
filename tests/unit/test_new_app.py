"""``make new-app``: what it writes, what it refuses, and that the result runs."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT, AppInfo, discover_apps
from scripts.checks.dependencies import undeclared_imports
from scripts.scaffold.new_app import ScaffoldError, create, main

# A whole repository copy, its .venv and its tests: make test starts it among the first.
pytestmark = pytest.mark.slow_module


def no_lock(root: Path) -> None:
    """Stands in for `uv lock` where only the written files are under test."""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A tree with what the scaffold looks at: apps/, tests/apps/ and uv.lock."""
    (tmp_path / "apps" / "hello").mkdir(parents=True)
    (tmp_path / "apps" / "hello" / "app.py").write_text("")
    (tmp_path / "tests" / "apps").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "uv.lock", tmp_path / "uv.lock")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "NAME is not set"),
        ("My-Report", "not a valid app name"),
        ("my_report", "not a valid app name"),
        ("1report", "not a valid app name"),
        ("../escape", "not a valid app name"),
        ("a" * 64, "not a valid app name"),
        ("hello", "is taken: apps/hello already exists"),
        ("dash", "is the name of a package in uv.lock"),
    ],
)
def test_bad_or_taken_name_is_refused_and_creates_nothing(
    repo: Path, name: str, message: str
) -> None:
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=message.replace(".", r"\.")):
        create(repo, name, lock=no_lock)
    assert snapshot(repo) == before


def test_taken_test_file_is_refused(repo: Path) -> None:
    (repo / "tests" / "apps" / "test_my_report.py").write_text("# someone's test\n")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=r"tests/apps/test_my_report\.py already exists"):
        create(repo, "my-report", lock=no_lock)
    assert snapshot(repo) == before


@pytest.mark.parametrize("description", ["", "two\nlines", "x" * 81])
def test_bad_description_is_refused(repo: Path, description: str) -> None:
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="DESCRIPTION="):
        create(repo, "my-report", description, lock=no_lock)
    assert snapshot(repo) == before


def test_failed_lock_removes_what_was_written(repo: Path) -> None:
    before = snapshot(repo)

    def failing_lock(root: Path) -> None:
        (root / "uv.lock").write_text("half-written")
        raise ScaffoldError("`uv lock` failed")

    with pytest.raises(ScaffoldError, match="uv lock"):
        create(repo, "my-report", lock=failing_lock)
    assert snapshot(repo) == before


def test_cli_reports_a_bad_name_with_exit_status_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["Bad Name", "--root", str(repo)]) == 2
    assert "not a valid app name" in capsys.readouterr().err


@pytest.mark.parametrize("description", ['Sales by "region" \\ quarter', 'Ada\'s "best" report'])
def test_written_app_is_linted_typed_declared_and_configured(repo: Path, description: str) -> None:
    scaffold = create(repo, "my-report", description, lock=no_lock)
    app_dir = scaffold.app_dir
    assert sorted(p.name for p in app_dir.iterdir()) == ["README.md", "app.py", "pyproject.toml"]
    assert [a.name for a in discover_apps(repo / "apps")] == ["hello", "my-report"]

    pyproject = tomllib.loads((app_dir / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "my-report"
    assert pyproject["project"]["description"] == description
    assert pyproject["tool"]["monorepo"]["deploy"] == {
        "title": "My report",
        "description": description,
        "access_type": "all",
    }
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse((app_dir / "app.py").read_text()).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    }
    assert constants == {"TITLE": "My report", "DESCRIPTION": description}
    assert "![my-report](screenshot.png)" in (app_dir / "README.md").read_text()
    assert undeclared_imports(AppInfo("my-report", app_dir)) == []

    python_files = [str(app_dir / "app.py"), str(scaffold.test_file)]
    tools = [
        [sys.executable, "-m", "ruff", "check", "--no-cache", *python_files],
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", *python_files],
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            str(app_dir),
        ],
    ]
    for command in tools:
        result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"


def copy_of_repo(destination: Path) -> Path:
    """The files git tracks (and new ones it does not ignore), as a fresh checkout has."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO_ROOT / relative
        if source.is_file():  # a tracked file deleted in the working tree is gone
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.mark.browser
def test_scaffolded_app_runs_and_passes_its_tests_in_a_fresh_copy(tmp_path: Path) -> None:
    """make new-app in a copy of the repo, then its smoke and behaviour tests there."""
    root = copy_of_repo(tmp_path / "repo")
    # The copy gets its own .venv (from the shared uv cache), not this one.
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }

    def run(*command: str) -> str:
        result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    out = run("make", "new-app", "NAME=my-report")
    assert "created apps/my-report/app.py" in out
    assert "created tests/apps/test_my_report.py" in out
    lock = tomllib.loads((root / "uv.lock").read_text())
    assert "my-report" in {p["name"] for p in lock["package"]}
    run("uv", "lock", "--check")  # the pre-commit hook would accept it
    run("make", "env")  # the Makefile notices the new member and syncs it

    out = run(
        str(root / ".venv" / "bin" / "python"),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/smoke/test_smoke.py::test_app_opens_cleanly[my-report]",
        "tests/apps/test_my_report.py",
    )
    assert "3 passed" in out, out
