"""Which apps are photographed on the stand-in, with data, and a bad table named plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.catalog import AppInfo, find_app
from scripts.gallery.on_stand_in import GalleryError, stand_in_picture


def app_with(tmp_path: Path, table: str) -> AppInfo:
    folder = tmp_path / "apps" / "demo"
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "demo"\n{table}')
    return AppInfo("demo", folder)


def test_usage_is_photographed_after_visits_as_an_administrator() -> None:
    picture = stand_in_picture(find_app("usage"))
    assert picture is not None and picture.viewer == "ada"
    assert len(picture.visits) == 2 and len({a for v in picture.visits.values() for a in v}) == 3
    assert stand_in_picture(find_app("hello")) is None  # served by `make run`, as before


@pytest.mark.parametrize(
    "table",
    [
        "[tool.monorepo.gallery]\non_stand_in = true\n",
        '[tool.monorepo.gallery]\non_stand_in = true\nas = "ada"\nvisits = ["hello"]\n',
        '[tool.monorepo.gallery]\non_stand_in = true\nas = "ada"\nvisits = { pat = "hello" }\n',
    ],
)
def test_a_stand_in_table_without_its_viewer_or_visits_is_refused(
    tmp_path: Path, table: str
) -> None:
    with pytest.raises(GalleryError, match=r"expected as = .* visits = "):
        stand_in_picture(app_with(tmp_path, table))
