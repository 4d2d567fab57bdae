"""``make new-app``: what it writes, what it refuses, and that the result runs;
``make remove-app``, its reverse."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts.bundle.build import uv_executable
from scripts.catalog import REPO_ROOT, AppInfo, discover_apps
from scripts.checks.dependencies import undeclared_imports
from scripts.deploy.settings import parse_settings
from scripts.deploy.team import TeamGroups
from scripts.gallery.table import PICTURE_PLACEHOLDER
from scripts.scaffold.new_app import ScaffoldError, create, main
from scripts.scaffold.remove_app import remove

# A whole repository copy, its .venv and its tests: make test starts it among the first.
pytestmark = pytest.mark.slow


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


def test_taken_test_folder_is_refused(repo: Path) -> None:
    (repo / "tests" / "apps" / "my_report").mkdir()
    (repo / "tests" / "apps" / "my_report" / "test_app.py").write_text("# someone's test\n")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=r"tests/apps/my_report already exists"):
        create(repo, "my-report", lock=no_lock)
    assert snapshot(repo) == before


@pytest.mark.parametrize("description", ["", "two\nlines", "x" * 81])
def test_bad_description_is_refused(repo: Path, description: str) -> None:
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="DESCRIPTION="):
        create(repo, "my-report", description, lock=no_lock)
    assert snapshot(repo) == before


def failing_lock(root: Path) -> None:
    """A `uv lock` that leaves the lock half-written, then fails."""
    (root / "uv.lock").write_text("half-written")
    raise ScaffoldError("`uv lock` failed")


def test_failed_lock_removes_what_was_written(repo: Path) -> None:
    before = snapshot(repo)
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
        "access_type": "acl",  # Connect's own default: a new app is not public
    }  # no groups of its own: the team's ([tool.monorepo.team]) are its viewers
    team = TeamGroups(viewers=("data-team",))
    assert parse_settings("my-report", pyproject["tool"]["monorepo"]["deploy"], team).groups == (
        "data-team",
    )
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse((app_dir / "app.py").read_text()).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    }
    # The title is in pyproject.toml only (connectkit.title reads it), not again here.
    assert constants == {"DESCRIPTION": description}
    # No link to a picture that does not exist yet; `make screenshots` puts it in.
    readme = (app_dir / "README.md").read_text()
    assert "screenshot.png" not in readme and PICTURE_PLACEHOLDER in readme
    assert undeclared_imports(AppInfo("my-report", app_dir)) == []

    python_files = [str(app_dir / "app.py"), *map(str, scaffold.test_dir.glob("*.py"))]
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
    assert "created tests/apps/my_report/test_app.py" in out
    lock = tomllib.loads((root / "uv.lock").read_text())
    assert "my-report" in {p["name"] for p in lock["package"]}
    run("uv", "lock", "--check")  # the pre-commit hook would accept it
    run("make", "env")  # the Makefile notices the new member and syncs it
    # Its picture was taken and the README gallery has its row: make check stays green.
    assert (root / "apps" / "my-report" / "screenshot.png").is_file()
    run("make", "gallery-check")

    out = run(
        str(root / ".venv" / "bin" / "python"),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/apps/test_smoke.py::test_app_opens_cleanly[my-report]",
        "tests/apps/my_report/test_app.py",
    )
    assert "3 passed" in out, out


def test_remove_reverses_new_app(repo: Path) -> None:
    before = snapshot(repo)
    create(repo, "my-report", lock=no_lock)
    (repo / "apps" / "my-report" / "screenshot.png").write_bytes(b"png")
    removed = remove(repo, "my-report", lock=no_lock)
    assert [p.relative_to(repo).as_posix() for p in removed] == [
        "apps/my-report",
        "tests/apps/my_report",
    ]
    assert snapshot(repo) == before
    assert not (repo / "apps" / "my-report").exists()


def test_unknown_name_is_refused_with_the_nearest_app(repo: Path) -> None:
    create(repo, "my-report", lock=no_lock)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=r"NAME=my-reprot: .*did you mean 'my-report'\?"):
        remove(repo, "my-reprot", lock=no_lock)
    with pytest.raises(ScaffoldError, match="NAME is not set"):
        remove(repo, "", lock=no_lock)
    assert snapshot(repo) == before


def test_reference_app_needs_force_and_takes_its_other_tests(repo: Path) -> None:
    tests_dir = repo / "tests" / "apps"
    (tests_dir / "hello").mkdir()
    (tests_dir / "hello" / "test_app.py").write_text("")
    (tests_dir / "hello" / "test_extra.py").write_text("")
    (tests_dir / "hellos").mkdir()  # another app's tests: kept
    (tests_dir / "hellos" / "test_app.py").write_text("")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=r"reference apps.*NAME=hello FORCE=1"):
        remove(repo, "hello", lock=no_lock)
    assert snapshot(repo) == before
    remove(repo, "hello", force=True, lock=no_lock)
    assert not (repo / "apps" / "hello").exists()
    assert sorted(p.name for p in tests_dir.iterdir()) == ["hellos"]


def test_failed_lock_puts_everything_back(repo: Path) -> None:
    create(repo, "my-report", lock=no_lock)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match="uv lock"):
        remove(repo, "my-report", lock=failing_lock)
    assert snapshot(repo) == before


def test_new_app_then_remove_app_restores_the_lock_and_gallery(tmp_path: Path) -> None:
    """Both commands as make runs them (real ``uv lock``), in a copy of the repository."""
    root = copy_of_repo(tmp_path / "repo")
    env = {**os.environ, "UV": uv_executable()}
    lock_before, readme_before = (root / "uv.lock").read_bytes(), (root / "README.md").read_text()

    def scaffold(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", f"scripts.scaffold.{tool}", *args]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)

    created = scaffold("new_app", "my-report")
    assert created.returncode == 0, created.stderr
    assert "make remove-app NAME=my-report" in created.stdout
    assert b'name = "my-report"' in (root / "uv.lock").read_bytes()

    removed = scaffold("remove_app", "my-report")
    assert removed.returncode == 0, removed.stderr
    assert "removed apps/my-report" in removed.stdout
    assert (root / "uv.lock").read_bytes() == lock_before
    assert (root / "README.md").read_text() == readme_before
    assert not (root / "apps" / "my-report").exists()

    refused = scaffold("remove_app", "helo")
    assert refused.returncode == 2
    assert "did you mean 'hello'?" in refused.stderr
