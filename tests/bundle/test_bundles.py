"""Bundles: self-contained, exact pins, nothing that does not belong, broken apps reported."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from connectkit.title import app_title

from scripts.bundle.build import (
    BundleError,
    build_bundle,
    build_bundles,
    folders_without_app,
    python_version,
)
from scripts.catalog import REPO_ROOT, AppInfo, discover_apps
from scripts.checks.app_import import AppCheckError
from tests.support.workspace import import_in_clean_venv, scratch_workspace

# A clean virtualenv per app: make test starts this module among the first.
pytestmark = pytest.mark.slow

FIXTURE_APPS = Path(__file__).parent / "fixture_apps"
WORKSPACE_PACKAGES = {"connectkit", *(a.name for a in discover_apps())}
DEV_TOOLS = {"pytest", "ruff", "rsconnect-python", "selenium", "hypothesis"}
GOOD_APP = {"app.py": (REPO_ROOT / "apps" / "hello" / "app.py").read_text()}


def pinned_names(requirements: Path) -> dict[str, str]:
    lines = [ln.split(";")[0].strip() for ln in requirements.read_text().splitlines()]
    pins = [ln for ln in lines if ln and not ln.startswith("#")]
    assert all("==" in pin for pin in pins), f"not exact pins: {pins}"
    return dict(pin.split("==", 1) for pin in pins)


@pytest.mark.parametrize("app", discover_apps(), ids=lambda a: a.name)
def test_bundle_runs_on_its_own(app: AppInfo, tmp_path: Path) -> None:
    # The clean venv below is the import check that counts; skip the workspace one.
    bundle = build_bundle(app, tmp_path / "bundles", check=False)
    files = bundle.files()
    assert "app.py" in files and "connectkit/__init__.py" in files
    assert not [f for f in files if f.startswith("tests/") or "__pycache__" in f]

    pins = pinned_names(bundle.path / "requirements.txt")
    # connectkit's own dependencies come with it, though hello does not import them
    assert "dash" in pins and "posit-sdk" in pins and "flask-compress" in pins
    assert not WORKSPACE_PACKAGES & pins.keys()
    assert not DEV_TOOLS & pins.keys()
    assert "file:" not in (bundle.path / "requirements.txt").read_text()

    major_minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert (bundle.path / ".python-version").read_text().strip() == major_minor
    # The title from pyproject.toml, which the bundle leaves out: what the page shows on Connect.
    assert app_title(bundle.path) == app.settings()["deploy"]["title"]
    manifest = json.loads((bundle.path / "manifest.json").read_text())
    assert manifest["metadata"] == {"appmode": "python-dash", "entrypoint": "app:app"}
    assert {"app.py", "connectkit/__init__.py", "requirements.txt"} <= manifest["files"].keys()

    import_in_clean_venv(bundle.path, tmp_path / "clean")


def test_undeclared_import_fails_the_clean_check(tmp_path: Path) -> None:
    fixture = FIXTURE_APPS / "undeclared-import"
    workspace = scratch_workspace(tmp_path / "ws", {fixture.name: fixture})
    app = AppInfo(fixture.name, workspace / "apps" / fixture.name)
    # The workspace's own import check is skipped: the clean venv is what must catch it.
    bundle = build_bundle(app, tmp_path / "bundles", workspace=workspace, check=False)
    with pytest.raises(AppCheckError, match=r"No module named 'pandas'"):
        import_in_clean_venv(bundle.path, tmp_path / "clean")


def test_bundle_leaves_out_what_does_not_belong(tmp_path: Path) -> None:
    clutter = {
        **GOOD_APP,
        "assets/style.css": "body {}",
        "helpers.py": "X = 1\n",
        "tests/test_app.py": "def test(): pass\n",
        "__pycache__/app.cpython-311.pyc": "",
        ".venv/bin/python": "",
        "rsconnect-python/cluttered.json": "{}",
        "screenshots/home.png": "",
        "loadtest/session.json": "{}",  # make record: a tooling file, not the app's
        "loadtest/capacity.png": "",
        "cache/data.parquet": "",
        ".env": "SECRET=1\n",
    }
    workspace = scratch_workspace(tmp_path / "ws", {"cluttered": clutter})
    app = AppInfo("cluttered", workspace / "apps" / "cluttered")
    bundle = build_bundle(
        app,
        tmp_path / "bundles",
        workspace=workspace,
        environ={"PYTHON_VERSION": "3.12"},
        check=False,
    )
    app_files = [f for f in bundle.files() if not f.startswith("connectkit/")]
    assert app_files == [
        ".python-version",
        "app-title.txt",
        "app.py",
        "assets/style.css",
        "helpers.py",
        "manifest.json",
        "requirements.txt",
    ]
    assert (bundle.path / ".python-version").read_text().strip() == "3.12"


# Each broken app, and what its failure message must say.
BROKEN_APPS = {
    "syntax": ({"app.py": "def broken(:\n"}, r"app\.py:1: syntax error"),
    "no-app": ({"app.py": "x = 1\n"}, r"defines no module-level `app`"),
    "not-dash": ({"app.py": "app = 42\n"}, r"`app` in app\.py is a int, not a Dash object"),
    "import-error": ({"app.py": "import no_such_module\n"}, r"No module named 'no_such_module'"),
    "raises": (
        {"app.py": "raise RuntimeError('boom')\n"},
        r"RuntimeError: boom \(at .*app\.py:1\)",
    ),
}


def test_each_broken_app_fails_alone_with_a_clear_message(tmp_path: Path) -> None:
    apps = {name: source for name, (source, _) in BROKEN_APPS.items()}
    workspace = scratch_workspace(tmp_path / "ws", {**apps, "good": GOOD_APP})
    bundles, failures = build_bundles(
        discover_apps(workspace / "apps"), tmp_path / "bundles", workspace=workspace
    )
    assert [b.app.name for b in bundles] == ["good"]
    messages = {f.app_name: f.message for f in failures}
    assert messages.keys() == BROKEN_APPS.keys()
    for name, (_, expected) in BROKEN_APPS.items():
        assert messages[name].startswith(f"{name}: ")
        assert re.search(expected, messages[name]), messages[name]


def test_folder_without_app_py_is_reported(tmp_path: Path) -> None:
    (tmp_path / "orphan").mkdir()
    (tmp_path / "orphan" / "main.py").write_text("")
    (tmp_path / "leftover" / "__pycache__").mkdir(parents=True)  # a deleted app's residue
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "app.py").write_text("")
    failures = folders_without_app(tmp_path)
    assert [f.app_name for f in failures] == ["orphan"]
    assert "has no app.py" in failures[0].message


def test_python_version_override_is_validated() -> None:
    assert python_version({}) == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert python_version({"PYTHON_VERSION": "3.12.4"}) == "3.12.4"
    with pytest.raises(BundleError, match="PYTHON_VERSION='three'"):
        python_version({"PYTHON_VERSION": "three"})


def test_make_bundles_reports_and_exits_nonzero_for_an_unknown_app() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.bundle.build", "no-such-app"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no app named 'no-such-app'" in result.stderr
