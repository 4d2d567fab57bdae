"""make release-check's first half: the version must move when connectkit's files do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scripts.release import record
from scripts.release.record import ReleaseError


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A copy of shared/ (no caches), recorded as it is."""
    copy = tmp_path / "shared"
    shutil.copytree(record.SHARED_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    record.record(copy, copy / "release.json")
    return copy


def check(shared: Path) -> str:
    return record.check(shared, shared / "release.json")


def bump(shared: Path, version: str) -> None:
    """What a release does by hand: both version lines and a changelog entry."""
    pyproject = shared / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'(?m)^version = "[^"]+"', f'version = "{version}"', pyproject.read_text())
    )
    init = shared / "src" / "connectkit" / "__init__.py"
    init.write_text(
        re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text())
    )
    changelog = shared / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace("\n## ", f"\n## {version}\n\n- a change\n\n## ", 1)
    )


def test_the_repositorys_connectkit_is_the_version_recorded_for_it() -> None:
    assert record.check() == record.project_version()


def test_unchanged_files_pass(shared: Path) -> None:
    assert check(shared) == record.project_version(shared)


@pytest.mark.parametrize(
    "changed", ["src/connectkit/health.py", "src/connectkit/static/connectkit.css", "README.md"]
)
def test_a_changed_file_without_a_bump_fails(shared: Path, changed: str) -> None:
    with (shared / changed).open("a") as out:
        out.write("\n")
    with pytest.raises(ReleaseError, match=r"files changed since .* bump the version"):
        check(shared)


def test_a_new_file_without_a_bump_fails(shared: Path) -> None:
    (shared / "src" / "connectkit" / "extra.py").write_text("")
    with pytest.raises(ReleaseError, match="files changed since"):
        check(shared)


def test_the_changelog_and_caches_are_not_code(shared: Path) -> None:
    with (shared / "CHANGELOG.md").open("a") as out:
        out.write("\na typo fixed\n")
    cache = shared / "src" / "connectkit" / "__pycache__"
    cache.mkdir()
    (cache / "health.cpython-311.pyc").write_bytes(b"\0")
    assert check(shared)


def test_a_bump_must_be_recorded_then_passes(shared: Path) -> None:
    (shared / "src" / "connectkit" / "extra.py").write_text("")
    bump(shared, "9.0.0")
    with pytest.raises(ReleaseError, match=r"9\.0\.0 is not recorded yet"):
        check(shared)
    assert record.record(shared, shared / "release.json").version == "9.0.0"
    assert check(shared) == "9.0.0"


def test_recording_changed_files_under_the_old_version_is_refused(shared: Path) -> None:
    (shared / "src" / "connectkit" / "extra.py").write_text("")
    with pytest.raises(ReleaseError, match="was recorded with other files"):
        record.record(shared, shared / "release.json")


def test_a_version_going_back_fails(shared: Path) -> None:
    bump(shared, "0.0.1")
    with pytest.raises(ReleaseError, match="not after the recorded"):
        check(shared)


@pytest.mark.parametrize("where", ["__init__", "changelog"])
def test_the_three_version_lines_must_agree(shared: Path, where: str) -> None:
    if where == "__init__":
        init = shared / "src" / "connectkit" / "__init__.py"
        init.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "7.7.7"', init.read_text()))
    else:
        changelog = shared / "CHANGELOG.md"
        changelog.write_text(changelog.read_text().replace("\n## ", "\n## 7.7.7\n\n## ", 1))
    with pytest.raises(ReleaseError, match=r"says '7\.7\.7': make them the same"):
        check(shared)


def test_no_record_says_how_to_make_one(shared: Path) -> None:
    (shared / "release.json").unlink()
    with pytest.raises(ReleaseError, match=r"release\.json is missing: run `make release-record`"):
        check(shared)


def test_the_lock_must_follow_the_version(shared: Path) -> None:
    lock = (record.SHARED_DIR.parent / "uv.lock").read_text()
    (shared.parent / "uv.lock").write_text(lock)
    assert check(shared)
    bump(shared, "9.0.0")
    locked = re.escape(record.project_version())
    with pytest.raises(ReleaseError, match=rf"uv\.lock says {locked}: run `uv lock`"):
        check(shared)
