"""The README gallery: one row per discovered app, rewritten between markers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import discover_apps
from scripts.gallery.table import (
    END,
    PICTURE_PLACEHOLDER,
    SCREENSHOT,
    START,
    GalleryError,
    problems,
    render_table,
    show_picture,
    with_table,
    write_readme,
)

README_TEXT = f"# Repo\n\nintro\n\n{START}\nold table\n{END}\n\n## After\n\nkept\n"


def make_app(root: Path, name: str, description: str, smoke: str = "") -> None:
    app_dir = root / "apps" / name
    app_dir.mkdir(parents=True)
    (app_dir / "app.py").write_text("")
    (app_dir / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\ndescription = "{description}"\n{smoke}'
    )
    (app_dir / "README.md").write_text(f"# {name}\n\n![{name}]({SCREENSHOT})\n")
    (app_dir / SCREENSHOT).write_bytes(b"\x89PNG")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_app(tmp_path, "hello", "Says hello")
    make_app(
        tmp_path,
        "group-dashboard",
        "Rows by group | gated",
        '[tool.monorepo.smoke]\nuser = "ada"\ngroups = ["analysts", "sales"]\n',
    )
    (tmp_path / "README.md").write_text(README_TEXT)
    return tmp_path


def test_table_has_a_row_per_app_with_picture_summary_and_run_line(repo: Path) -> None:
    table = render_table(discover_apps(repo / "apps"), repo).splitlines()
    assert table[0] == "| app | screenshot | what it demonstrates | run it | one process holds |"
    assert table[2] == (
        "| [group-dashboard](apps/group-dashboard/README.md) "
        '| <img src="apps/group-dashboard/screenshot.png" alt="group-dashboard" width="320"> '
        "| Rows by group \\| gated "
        "| `make run APP=group-dashboard USER=ada GROUPS=analysts,sales` "
        "| `make capacity APP=group-dashboard` |"
    )
    assert table[3].startswith("| [hello](apps/hello/README.md) |")
    assert table[3].endswith("| Says hello | `make run APP=hello` | `make capacity APP=hello` |")
    assert len(table) == 4


def test_a_measured_capacity_links_its_chart(repo: Path) -> None:
    measured = repo / "apps" / "hello" / "loadtest" / "capacity.json"
    measured.parent.mkdir()
    measured.write_text('{"visitors_per_process": 24}')
    table = render_table(discover_apps(repo / "apps"), repo).splitlines()
    assert table[3].endswith("| [24 visitors](apps/hello/loadtest/capacity.png) |")
    measured.write_text('{"visitors_per_process": 64, "at_least": true}')  # never past the limits
    table = render_table(discover_apps(repo / "apps"), repo).splitlines()
    assert table[3].endswith("| [>= 64 visitors](apps/hello/loadtest/capacity.png) |")


def test_rewrite_replaces_only_the_table(repo: Path) -> None:
    apps = discover_apps(repo / "apps")
    write_readme(apps, repo / "README.md")
    text = (repo / "README.md").read_text()
    assert text.startswith("# Repo\n\nintro\n\n" + START + "\n| app |")
    assert text.endswith(f"`make capacity APP=hello` |\n{END}\n\n## After\n\nkept\n")
    assert "old table" not in text
    write_readme(apps, repo / "README.md")
    assert (repo / "README.md").read_text() == text  # stable: a second run changes nothing


def test_a_new_apps_readme_shows_its_picture_once_there_is_one(repo: Path) -> None:
    [app] = [a for a in discover_apps(repo / "apps") if a.name == "hello"]
    readme = app.path / "README.md"
    readme.write_text(f"# hello\n\n{PICTURE_PLACEHOLDER}\n\nMore.\n")
    (app.path / SCREENSHOT).unlink()
    assert not show_picture(app)  # no picture yet: the placeholder stays
    assert PICTURE_PLACEHOLDER in readme.read_text()
    (app.path / SCREENSHOT).write_bytes(b"\x89PNG")
    assert show_picture(app)
    assert readme.read_text() == f"# hello\n\n![hello]({SCREENSHOT})\n\nMore.\n"
    assert not show_picture(app)  # once is enough
    apps = discover_apps(repo / "apps")
    write_readme(apps, repo / "README.md")
    assert problems(apps, repo / "README.md") == []  # the gallery check is satisfied


def test_readme_without_markers_is_an_error_not_a_rewrite() -> None:
    with pytest.raises(GalleryError, match="gallery:start"):
        with_table("# no markers\n", "| table |")
    with pytest.raises(GalleryError):
        with_table(f"{END}\n{START}\n", "| table |")


def test_check_names_what_is_stale(repo: Path) -> None:
    apps = discover_apps(repo / "apps")
    assert problems(apps, repo / "README.md") == [
        "README.md: the gallery table does not match the apps"
    ]
    write_readme(apps, repo / "README.md")
    assert problems(apps, repo / "README.md") == []
    (repo / "apps" / "hello" / SCREENSHOT).unlink()
    (repo / "apps" / "hello" / "README.md").write_text("# hello\n")
    assert problems(apps, repo / "README.md") == [
        "hello: no screenshot.png",
        "hello: README.md does not show screenshot.png",
    ]
    make_app(repo, "new-app", "New")
    assert "README.md: the gallery table does not match the apps" in problems(
        discover_apps(repo / "apps"), repo / "README.md"
    )


@pytest.mark.browser
def test_screenshot_only_of_a_page_that_passes_the_smoke_check(
    tmp_path: Path, browser: Any
) -> None:
    from scripts.browser.smoke import SmokeFailure
    from scripts.catalog import REPO_ROOT, AppInfo, find_app
    from scripts.gallery.screenshots import photograph

    good = tmp_path / "hello"
    shutil.copytree(find_app("hello").path, good, ignore=shutil.ignore_patterns(SCREENSHOT))
    target = photograph(AppInfo("hello", good), browser, tmp_path / "logs-good")
    assert target == good / SCREENSHOT
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(target.read_bytes()[16:20], "big") == 1280  # the PNG's width

    broken = tmp_path / "console-error"
    shutil.copytree(REPO_ROOT / "tests" / "browser" / "broken_apps" / "console-error", broken)
    with pytest.raises(SmokeFailure, match="console"):
        photograph(AppInfo("console-error", broken), browser, tmp_path / "logs-broken")
    assert not (broken / SCREENSHOT).exists()
