"""Turn an uploaded bundle into a runnable folder and virtualenv, as Connect's build does.

Environments are shared by bundles with byte-identical requirements (Connect
caches environments too), so a redeploy does not reinstall anything. The
folder may be shared by several stand-ins at once (parallel test workers): a
file lock per environment makes one build it while the others wait.

``uv venv`` then ``uv pip install -r requirements.txt``, run in the bundle's
folder as Connect's build runs pip there, so a wheel shipped in the bundle
and named by a relative path (``./pkg-1.0-py3-none-any.whl``) installs; a
path leading outside the bundle fails the build (Connect sees only the
bundle). Offline from uv's cache first (fast, and works without a network),
online when something is missing there. Every installer line goes to the task log; a failing install
raises BuildError carrying the installer's last lines.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

Log = Callable[[str], None]
ERROR_TAIL_LINES = 25
BUILT_MARKER = ".connect-local-built"


class BuildError(RuntimeError):
    """The bundle cannot be built; the message says why, with the installer's output."""


def find_uv() -> str:
    """uv from ``$UV``, else from PATH, else next to this Python."""
    candidates = [os.environ.get("UV"), shutil.which("uv"), str(Path(sys.executable).parent / "uv")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BuildError("uv not found: set UV=/path/to/uv or put uv on PATH")


def unpack(archive: Path, target: Path) -> None:
    """Extract a bundle archive; members escaping ``target`` are refused."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(target, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BuildError(f"the bundle is not a readable tar.gz archive: {error}") from None


def read_manifest(app_dir: Path) -> dict[str, Any]:
    path = app_dir / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise BuildError(f"manifest.json is not valid JSON: {error}") from None
    return manifest if isinstance(manifest, dict) else {}


def requirements_file(app_dir: Path, manifest: dict[str, Any]) -> Path:
    package_manager = manifest.get("python", {}).get("package_manager", {})
    name = package_manager.get("package_file") or "requirements.txt"
    path = app_dir / name
    if not path.is_file():
        raise BuildError(f"the bundle has no {name}: Connect needs one to build the environment")
    return path


def _installer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update({"UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1", "UV_NO_PROGRESS": "1"})
    return env


def _run(command: Sequence[str], log: Log, cwd: Path | None = None) -> tuple[int, list[str]]:
    """Run ``command``, streaming its merged output to ``log``; (exit code, all lines)."""
    log("$ " + " ".join(command))
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=_installer_env(),
    )
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        log(line)
    return process.wait(), lines


def _install(uv: str, python: Path, args: Sequence[str], log: Log, cwd: Path) -> None:
    base = [uv, "pip", "install", "--python", str(python)]
    code, _ = _run([*base, "--offline", *args], log, cwd)
    if code == 0:
        return
    log("Offline install from the uv cache failed; retrying online.")
    code, lines = _run([*base, *args], log, cwd)
    if code != 0:
        tail = "\n".join(lines[-ERROR_TAIL_LINES:])
        raise BuildError(f"installing {' '.join(args)} failed (uv exit {code}):\n{tail}")


_LOCAL_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip")


def local_archives(requirements: Path) -> list[Path]:
    """The package files a requirements file names by path, resolved in its folder.

    A path leading outside that folder (the bundle) is a BuildError: on
    Connect nothing but the bundle's files is there to install.
    """
    bundle = requirements.parent.resolve()
    found = []
    for raw in requirements.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("file:"):
            line = line.removeprefix("file:").removeprefix("//")
        if not line.endswith(_LOCAL_ARCHIVE_SUFFIXES) or "://" in line:
            continue
        path = (bundle / line).resolve()
        if not path.is_relative_to(bundle):
            raise BuildError(
                f"{requirements.name} names {line!r}, outside the bundle: Connect installs "
                "only files the bundle carries; put the file in the app's folder and name it "
                f"./{Path(line).name}"
            )
        found.append(path)
    return found


def environment_key(requirements: Path, python: str) -> str:
    """Bundles with the same requirements share one environment, as on Connect;
    a package file the bundle carries counts by its content, not its name."""
    digest = hashlib.sha256(requirements.read_bytes())
    for archive in local_archives(requirements):
        if archive.is_file():
            digest.update(b"\0" + hashlib.sha256(archive.read_bytes()).digest())
    digest.update(f"\0{python}\0{sys.version}".encode())
    return digest.hexdigest()[:16]


@contextmanager
def _building(environments_dir: Path, key: str) -> Iterator[None]:
    """Exclusive use of one environment, between threads and between processes.

    flock locks an open file description: each call opens the file anew, so
    two threads of one stand-in exclude each other as two stand-ins do.
    """
    environments_dir.mkdir(parents=True, exist_ok=True)
    with (environments_dir / f".{key}.lock").open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
        yield


def this_python() -> str:
    return ".".join(map(str, sys.version_info[:3]))


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def require_python(manifest: dict[str, Any], installations: Sequence[str]) -> str:
    """The installed version that serves the bundle; BuildError when none does.

    As Connect: the manifest's ``environment.python.requires`` (a PEP 440
    constraint, from ``.python-version`` or ``requires-python``) when present,
    else the same major.minor as its ``python.version``.
    """
    environment = manifest.get("environment")
    python_env = environment.get("python") if isinstance(environment, dict) else None
    requires = python_env.get("requires") if isinstance(python_env, dict) else None
    wanted = str(manifest.get("python", {}).get("version", "") or "")
    if requires:
        try:
            matches = list(SpecifierSet(str(requires)).filter(installations))
        except InvalidSpecifier:
            raise BuildError(
                f"the manifest's python requires {requires!r} is not PEP 440"
            ) from None
        asked = f"Python {requires}"
    elif wanted:
        matches = [v for v in installations if _minor(v) == _minor(wanted)]
        asked = f"Python {_minor(wanted)}"
    else:
        return installations[0] if installations else this_python()
    if not matches:
        raise BuildError(
            f"The bundle asks for {asked}; this server has Python "
            f"{', '.join(installations)} (see GET v1/server_settings/python). "
            "Change the app's .python-version, or start the stand-in with --python-versions."
        )
    return matches[-1]


def interpreter_for(version: str) -> str:
    """What ``uv venv --python`` gets for an installed version: this interpreter when it
    is the one, else the version, which uv looks for on this machine (never downloads)."""
    return sys.executable if version == this_python() else version


def build(app_dir: Path, environments_dir: Path, log: Log, *, python: str = sys.executable) -> Path:
    """The virtualenv for the bundle in ``app_dir``, built with ``python`` (see
    ``interpreter_for``) unless an identical one exists. A version this machine lacks
    fails the build, as on a Connect whose installation is missing.

    Returns the environment's ``python``.
    """
    manifest = read_manifest(app_dir)
    requirements = requirements_file(app_dir, manifest)
    key = environment_key(requirements, python)
    venv = environments_dir / key
    venv_python = venv / "bin" / "python"
    with _building(environments_dir, key):
        if (venv / BUILT_MARKER).is_file() and venv_python.exists():
            log(f"Reusing the environment {key}: same requirements as an earlier build.")
            return venv_python
        uv = find_uv()
        if venv.exists():
            shutil.rmtree(venv)  # a build that did not finish
        code, lines = _run([uv, "venv", "--quiet", "--python", python, str(venv)], log)
        if code != 0:
            tail = "\n".join(lines[-ERROR_TAIL_LINES:])
            raise BuildError(f"uv venv --python {python} failed (exit {code}):\n{tail}")
        _install(uv, venv_python, ["-r", str(requirements)], log, app_dir)
        if not (venv / "bin" / "gunicorn").exists():
            log("gunicorn is not in the bundle's requirements: adding it to serve the app.")
            _install(uv, venv_python, ["gunicorn"], log, app_dir)
        (venv / BUILT_MARKER).write_text("built\n")
    return venv_python


# -- what a built environment holds: packages, its Python, removal (runtime caches) --


def environment_of(python: Path) -> Path:
    """The environment folder of an environment's ``bin/python``."""
    return python.parent.parent


def python_version_of(environment: Path) -> str | None:
    """The full Python version (``3.11.9``) ``pyvenv.cfg`` records, if any."""
    try:
        lines = (environment / "pyvenv.cfg").read_text().splitlines()
    except OSError:
        return None
    settings = dict(line.partition("=")[::2] for line in lines if "=" in line)
    cleaned = {k.strip(): v.strip() for k, v in settings.items()}
    return cleaned.get("version_info") or cleaned.get("version")


def installed_packages(environment: Path) -> list[tuple[str, str]]:
    """(name, version) of every distribution installed in the environment, by name."""
    sites = [str(p) for p in environment.glob("lib/python*/site-packages")]
    found = {
        (dist.metadata["Name"], dist.version)
        for dist in importlib.metadata.distributions(path=sites)
        if dist.metadata["Name"]
    }
    return sorted(found, key=lambda p: p[0].lower())


def built_environments(environments_dir: Path) -> list[Path]:
    """Every finished environment in the folder."""
    if not environments_dir.is_dir():
        return []
    return sorted(p for p in environments_dir.iterdir() if (p / BUILT_MARKER).is_file())


def remove_environment(environments_dir: Path, environment: Path) -> None:
    """Delete one environment (never while it is being built); the next start rebuilds it."""
    with _building(environments_dir, environment.name):
        shutil.rmtree(environment, ignore_errors=True)
