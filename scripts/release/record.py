"""Has connectkit's code changed since its version was recorded?

The record (``shared/release.json``) holds the version and a SHA-256 of the
package's files: its source tree, ``pyproject.toml`` and ``README.md`` (what
the wheel and sdist are made of; the changelog is left out, so fixing a typo
in it needs no release). A hash in the tree, not a git tag: a fresh CI clone
has no tags, a branch carries no tag to its merge, and a hash can be checked
from any copy of the files, a tarball included.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from scripts.catalog import REPO_ROOT

SHARED_DIR = REPO_ROOT / "shared"
PACKAGE_DIR = SHARED_DIR / "src" / "connectkit"
RECORD_FILE = SHARED_DIR / "release.json"
CHANGELOG = SHARED_DIR / "CHANGELOG.md"
_METADATA_FILES = ("pyproject.toml", "README.md")
_SKIPPED_PARTS = frozenset({"__pycache__"})
_CHANGELOG_HEADING = re.compile(r"^## (\S+)", re.M)
FIX = (
    "bump the version in shared/pyproject.toml and connectkit.__version__, "
    "add its entry at the top of shared/CHANGELOG.md, then run `make release-record`"
)


class ReleaseError(RuntimeError):
    """The package's version does not match its code; the message says how to fix it."""


@dataclass(frozen=True)
class Record:
    version: str
    digest: str


def package_files(shared_dir: Path = SHARED_DIR) -> list[Path]:
    """The files a release is made of, in a stable order."""
    source = shared_dir / "src" / "connectkit"
    files = [
        path
        for path in source.rglob("*")
        if path.is_file()
        and not _SKIPPED_PARTS.intersection(path.relative_to(source).parts)
        and path.suffix != ".pyc"
    ]
    files += [shared_dir / name for name in _METADATA_FILES]
    return sorted(files)


def package_digest(shared_dir: Path = SHARED_DIR) -> str:
    """SHA-256 over each file's path (relative to ``shared/``) and bytes."""
    digest = hashlib.sha256()
    for path in package_files(shared_dir):
        digest.update(path.relative_to(shared_dir).as_posix().encode() + b"\0")
        data = path.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def project_version(shared_dir: Path = SHARED_DIR) -> str:
    return str(tomllib.loads((shared_dir / "pyproject.toml").read_text())["project"]["version"])


def module_version(shared_dir: Path = SHARED_DIR) -> str | None:
    """``__version__`` as written in ``connectkit/__init__.py`` (read, not imported)."""
    init = shared_dir / "src" / "connectkit" / "__init__.py"
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = any(isinstance(t, ast.Name) and t.id == "__version__" for t in targets)
            if named and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return None


def changelog_version(shared_dir: Path = SHARED_DIR) -> str | None:
    """The newest entry's version: the first ``## <version>`` heading."""
    found = _CHANGELOG_HEADING.search((shared_dir / CHANGELOG.name).read_text())
    return found.group(1) if found else None


def read_record(path: Path = RECORD_FILE) -> Record | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return Record(version=str(data["version"]), digest=str(data["digest"]))


def write_record(record: Record, path: Path = RECORD_FILE) -> None:
    path.write_text(
        json.dumps({"version": record.version, "digest": record.digest}, indent=2) + "\n"
    )


def locked_version(shared_dir: Path = SHARED_DIR) -> str | None:
    """connectkit's version in the workspace's ``uv.lock`` (beside ``shared/``), if there is one."""
    lock = shared_dir.parent / "uv.lock"
    if not lock.is_file():
        return None
    for package in tomllib.loads(lock.read_text()).get("package", []):
        if package.get("name") == "connectkit":
            return str(package.get("version"))
    return None


def consistent_version(shared_dir: Path = SHARED_DIR) -> str:
    """The one version pyproject, ``__version__``, the changelog and uv.lock agree on."""
    version = project_version(shared_dir)
    try:
        Version(version)
    except InvalidVersion:
        raise ReleaseError(f"shared/pyproject.toml's version {version!r} is not PEP 440") from None
    others = {
        "connectkit.__version__": module_version(shared_dir),
        "the newest shared/CHANGELOG.md entry": changelog_version(shared_dir),
    }
    locked = locked_version(shared_dir)
    if locked is not None and locked != version:
        raise ReleaseError(
            f"shared/pyproject.toml says {version}, uv.lock says {locked}: run `uv lock`"
        )
    for where, value in others.items():
        if value != version:
            raise ReleaseError(
                f"shared/pyproject.toml says {version}, {where} says {value!r}: make them the same"
            )
    return version


def check(shared_dir: Path = SHARED_DIR, record_file: Path = RECORD_FILE) -> str:
    """The released version, if the code is the one recorded for it; else ReleaseError."""
    version = consistent_version(shared_dir)
    record = read_record(record_file)
    digest = package_digest(shared_dir)
    if record is None:
        raise ReleaseError(f"{record_file.name} is missing: run `make release-record`")
    if record.version == version:
        if record.digest != digest:
            raise ReleaseError(
                f"connectkit's files changed since {version} was recorded "
                f"(digest {digest[:12]}, recorded {record.digest[:12]}): {FIX}"
            )
        return version
    if Version(version) <= Version(record.version):
        raise ReleaseError(
            f"the version {version} is not after the recorded {record.version}: {FIX}"
        )
    raise ReleaseError(
        f"{version} is not recorded yet (the record says {record.version}): "
        "run `make release-record` once its CHANGELOG entry is written"
    )


def record(shared_dir: Path = SHARED_DIR, record_file: Path = RECORD_FILE) -> Record:
    """Record the current files as the current version (which must be new, or unchanged)."""
    version = consistent_version(shared_dir)
    previous = read_record(record_file)
    digest = package_digest(shared_dir)
    if previous is not None and previous.version == version and previous.digest != digest:
        raise ReleaseError(f"{version} was recorded with other files: {FIX}")
    if previous is not None and Version(version) < Version(previous.version):
        raise ReleaseError(f"the version {version} is before the recorded {previous.version}")
    new = Record(version=version, digest=digest)
    write_record(new, record_file)
    return new
