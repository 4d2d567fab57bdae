"""make release-check's second half: the wheel and sdist build, pass twine, install alone."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scripts.release import dist, record

pytestmark = pytest.mark.slow


def test_the_wheel_installs_and_imports_with_no_workspace(tmp_path: Path) -> None:
    built = dist.build(tmp_path / "dist")
    dist.twine_check(built)
    names = zipfile.ZipFile(built.wheel).namelist()
    assert "connectkit/py.typed" in names
    python = dist.install_alone(built.wheel, tmp_path / "venv")
    found = dist.probe(python, cwd=tmp_path)
    assert str(found["file"]).startswith(str(tmp_path / "venv"))
    assert found["version"] == found["metadata_version"] == record.project_version()
    assert found["entry_points"] == ["connectkit.entry_point"]
    assert found["typed"] is True


def test_a_failed_build_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "shared"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[project]\nname = 'connectkit'\n")  # no version
    with pytest.raises(dist.DistError, match=r"uv build .* failed"):
        dist.build(tmp_path / "dist", broken)
