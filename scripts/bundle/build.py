"""Self-contained deploy bundles: ``make bundles`` (also the first step of a deploy).

rsconnect bundles one directory and nothing outside it, so each app gets a
staging directory ``build/bundles/<app>/`` holding:

- the app's files (no tests, caches, virtualenvs, deployment records, screenshots);
- a vendored copy of ``connectkit`` at the bundle root (importable as on Connect);
- ``requirements.txt``: exact pins exported from ``uv.lock`` for that app alone;
- ``.python-version`` (this interpreter's major.minor, or ``PYTHON_VERSION``);
- ``app-title.txt``: the title from the app's ``pyproject.toml``, which the bundle
  leaves out (``connectkit.title`` reads it on Connect);
- ``manifest.json`` written by ``rsconnect write-manifest dash`` (entrypoint app:app).

A broken app folder is reported and skipped; the other bundles still build.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from connectkit.title import BUNDLED_TITLE_FILE, app_title

from scripts.bundle.files import NotRegularFile, copy_regular_tree
from scripts.catalog import (
    APPS_DIR,
    ENTRYPOINT,
    REPO_ROOT,
    AppInfo,
    discover_apps,
    is_app_code_dir,
)
from scripts.checks.app_environment import app_environment
from scripts.checks.app_import import (
    AppCheckError,
    check_has_entrypoint,
    check_import,
    check_syntax,
)

BUNDLES_DIR = REPO_ROOT / "build" / "bundles"
SHARED_PACKAGE = "connectkit"
SHARED_SOURCE = REPO_ROOT / "shared" / "src" / SHARED_PACKAGE
PYTHON_VERSION_ENV = "PYTHON_VERSION"
PYTHON_VERSION_PATTERN = re.compile(r"^3\.\d+(\.\d+)?$")
EXPORT_TIMEOUT_S = 120.0

# Files an app folder may hold that a bundle must not (its folders: NOT_APP_CODE_DIRS):
# tests, secrets, logs, screenshots, and the workspace files requirements.txt replaces.
EXCLUDED_FILES = (
    "*.pyc",
    "test_*.py",
    "*_test.py",
    "conftest.py",
    ".env",
    ".env.*",
    "*.log",
    ".DS_Store",
    "screenshot*.png",
    "pyproject.toml",  # the workspace member file; requirements.txt replaces it
    "uv.lock",
    "requirements.txt",
    "manifest.json",
    ".python-version",
)


# rsconnect writes deployment records into the directory and never uploads them.
_UNBUNDLED = frozenset({"rsconnect-python", "__pycache__"})


class BundleError(RuntimeError):
    """A bundle that could not be built; the message names the app and the cause."""


def bundle_files(bundle_dir: Path) -> list[str]:
    """Every file a bundle directory holds (not rsconnect's records), relative, sorted."""
    return sorted(
        p.relative_to(bundle_dir).as_posix()
        for p in bundle_dir.rglob("*")
        if p.is_file() and not _UNBUNDLED.intersection(p.relative_to(bundle_dir).parts)
    )


@dataclass(frozen=True)
class Bundle:
    app: AppInfo
    path: Path

    def files(self) -> list[str]:
        """Every file the bundle holds, relative to it, sorted."""
        return bundle_files(self.path)

    def size_bytes(self) -> int:
        return sum((self.path / name).stat().st_size for name in self.files())


@dataclass(frozen=True)
class BundleFailure:
    app_name: str
    message: str


def python_version(environ: Mapping[str, str] = os.environ) -> str:
    """``PYTHON_VERSION`` if given (validated), else this interpreter's major.minor."""
    wanted = environ.get(PYTHON_VERSION_ENV, "").strip()
    if not wanted:
        return f"{sys.version_info.major}.{sys.version_info.minor}"
    if not PYTHON_VERSION_PATTERN.match(wanted):
        raise BundleError(
            f"{PYTHON_VERSION_ENV}={wanted!r} is not a Python version; expected e.g. 3.11 or 3.12.4"
        )
    return wanted


def _left_out_of_app(entry: os.DirEntry[str]) -> bool:
    """Not the app's code: excluded folders (tests, caches, virtualenvs) and files."""
    if entry.is_dir(follow_symlinks=False):
        return not is_app_code_dir(Path(entry.path))
    return any(fnmatch.fnmatch(entry.name, pattern) for pattern in EXCLUDED_FILES)


def _is_cache(entry: os.DirEntry[str]) -> bool:
    return entry.name == "__pycache__" or entry.name.endswith(".pyc")


def _ignore_caches(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith(".pyc")}


def copy_app_files(app_dir: Path, bundle_dir: Path) -> None:
    """The app's own regular files; a link, device, socket or FIFO is a BundleError naming it."""
    try:
        copy_regular_tree(app_dir, bundle_dir, _left_out_of_app)
    except NotRegularFile as error:
        raise BundleError(f"{app_dir.name}: {error}") from None


def vendor_shared_package(bundle_dir: Path, source: Path = SHARED_SOURCE) -> None:
    target = bundle_dir / source.name
    if target.exists():
        raise BundleError(
            f"{bundle_dir.name}: the app folder has its own {source.name!r}, which would "
            "hide the vendored shared package; rename it"
        )
    try:
        copy_regular_tree(source, target, _is_cache)
    except NotRegularFile as error:
        raise BundleError(f"{bundle_dir.name}: {error}") from None


def uv_executable() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise BundleError("uv is not on PATH; run `make env` (it installs uv) and retry")
    return found


def export_requirements(app_name: str, bundle_dir: Path, workspace: Path = REPO_ROOT) -> None:
    """Exact pins for ``app_name`` alone, from uv.lock: no workspace packages, no dev tools."""
    command = [
        uv_executable(),
        "export",
        "--package",
        app_name,
        "--frozen",
        "--no-hashes",
        "--no-emit-workspace",
        "--no-dev",
        "--no-header",
        "--no-annotate",
        "--quiet",
        "--output-file",
        str(bundle_dir / "requirements.txt"),
    ]
    result = subprocess.run(
        command, cwd=workspace, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S
    )
    if result.returncode != 0:
        raise BundleError(
            f"{app_name}: `uv export` failed (is the app a workspace member, and uv.lock "
            f"up to date? run `uv lock`): {result.stderr.strip()}"
        )


def rsconnect_executable() -> str:
    beside = Path(sys.executable).parent / "rsconnect"
    return str(beside) if beside.exists() else shutil.which("rsconnect") or "rsconnect"


def write_manifest(
    bundle_dir: Path, version: str, override_version: bool, env: Mapping[str, str] | None = None
) -> None:
    command = [rsconnect_executable(), "write-manifest", "dash", "--overwrite"]
    command += ["--entrypoint", ENTRYPOINT]
    if override_version:
        command += ["--override-python-version", version]
    result = subprocess.run(
        [*command, str(bundle_dir)],
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT_S,
        env=dict(app_environment() if env is None else env),
    )
    if result.returncode != 0:
        raise BundleError(
            f"{bundle_dir.name}: rsconnect write-manifest failed: "
            f"{(result.stderr or result.stdout).strip()}"
        )


def stage_bundle(
    app: AppInfo,
    out_root: Path = BUNDLES_DIR,
    *,
    environ: Mapping[str, str] = os.environ,
    workspace: Path = REPO_ROOT,
) -> Bundle:
    """Every file of ``app``'s bundle under ``out_root/<name>``, but not yet checked or listed.

    Quick (no subprocess but ``uv export``): the deploy compares this with the
    active bundle and completes only the bundles that changed.
    """
    version = python_version(environ)
    try:
        check_has_entrypoint(app.path)
    except AppCheckError as error:
        raise BundleError(f"{app.name}: {error}") from None
    bundle_dir = out_root / app.name
    if bundle_dir.exists():
        shutil.rmtree(bundle_dir)
    out_root.mkdir(parents=True, exist_ok=True)
    copy_app_files(app.path, bundle_dir)  # first: nothing is read through a link
    try:
        check_syntax(bundle_dir)  # the copies: regular files only
    except AppCheckError as error:
        where = str(error).replace(str(bundle_dir), str(app.path))
        raise BundleError(f"{app.name}: {where}") from None
    vendor_shared_package(bundle_dir)
    export_requirements(app.name, bundle_dir, workspace)
    (bundle_dir / ".python-version").write_text(version + "\n")
    (bundle_dir / BUNDLED_TITLE_FILE).write_text(app_title(app.path) + "\n")
    return Bundle(app, bundle_dir)


def complete_bundle(
    bundle: Bundle, *, environ: Mapping[str, str] = os.environ, check: bool = True
) -> Bundle:
    """Import the app from its bundle (vendored connectkit first), then write manifest.json.

    Both run with the app's allow-list environment (``app_environment``):
    PATH, HOME, the locale and the variables the app declares, nothing else.
    """
    child_environ = app_environment(declared_environment(bundle.app), environ)
    if check:
        try:
            check_import(bundle.path, environ=child_environ)
        except AppCheckError as error:
            raise BundleError(f"{bundle.app.name}: {error}") from None
    version = python_version(environ)
    write_manifest(
        bundle.path, version, override_version=PYTHON_VERSION_ENV in environ, env=child_environ
    )
    return bundle


def declared_environment(app: AppInfo) -> list[str]:
    """The names ``[tool.monorepo.deploy] environment`` lists (checked by the deploy settings)."""
    deploy = app.settings().get("deploy", {})
    names = deploy.get("environment", []) if isinstance(deploy, dict) else []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def build_bundle(
    app: AppInfo,
    out_root: Path = BUNDLES_DIR,
    *,
    environ: Mapping[str, str] = os.environ,
    workspace: Path = REPO_ROOT,
    check: bool = True,
) -> Bundle:
    """Stage ``app`` under ``out_root/<name>`` (replacing an older bundle), check it, list it."""
    bundle = stage_bundle(app, out_root, environ=environ, workspace=workspace)
    return complete_bundle(bundle, environ=environ, check=check)


def folders_without_app(apps_dir: Path = APPS_DIR) -> list[BundleFailure]:
    """App folders that discovery skips because app.py is missing: say so, loudly."""
    if not apps_dir.is_dir():
        return []
    failures = []
    for folder in sorted(p for p in apps_dir.iterdir() if p.is_dir()):
        has_content = any(
            p.is_file() and not _ignore_caches(str(p.parent), [p.name])
            for p in folder.rglob("*")
            if "__pycache__" not in p.parts
        )
        if not folder.name.startswith((".", "_")) and has_content:
            try:
                check_has_entrypoint(folder)
            except AppCheckError as error:
                failures.append(BundleFailure(folder.name, str(error)))
    return failures


def build_bundles(
    apps: Iterable[AppInfo],
    out_root: Path = BUNDLES_DIR,
    *,
    jobs: int = 4,
    environ: Mapping[str, str] = os.environ,
    workspace: Path = REPO_ROOT,
    complete: bool = True,
) -> tuple[list[Bundle], list[BundleFailure]]:
    """Every bundle that builds, and one failure per app that does not.

    ``complete=False``: staged only (see ``stage_bundle``); ``complete_bundle`` finishes one.
    """
    apps = list(apps)
    python_version(environ)  # a bad PYTHON_VERSION stops everything, once
    build = build_bundle if complete else stage_bundle

    def attempt(app: AppInfo) -> Bundle | BundleFailure:
        try:
            return build(app, out_root, environ=environ, workspace=workspace)
        except (BundleError, OSError, subprocess.SubprocessError) as error:
            return BundleFailure(app.name, str(error))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(attempt, apps))
    bundles = [o for o in outcomes if isinstance(o, Bundle)]
    failures = [o for o in outcomes if isinstance(o, BundleFailure)]
    return bundles, failures


def select_apps(names: Iterable[str], apps_dir: Path = APPS_DIR) -> list[AppInfo]:
    """The named apps (all discovered ones when none is named)."""
    from scripts.catalog import find_app

    wanted = [n for n in names if n]
    return [find_app(n, apps_dir) for n in wanted] if wanted else discover_apps(apps_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app names (default: every app)")
    parser.add_argument("--out", type=Path, default=BUNDLES_DIR)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS") or 4))
    args = parser.parse_args(argv)
    try:
        apps = select_apps(args.apps)
        bundles, failures = build_bundles(apps, args.out, jobs=args.jobs)
    except (LookupError, BundleError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.apps:
        failures += folders_without_app()
    for bundle in bundles:
        size_kib = bundle.size_bytes() / 1024
        print(f"{bundle.app.name}: {bundle.path} ({len(bundle.files())} files, {size_kib:.0f} KiB)")
    for failure in failures:
        print(f"{failure.app_name}: FAILED: {failure.message}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
