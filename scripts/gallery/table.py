"""The app gallery: the README table of every discovered app and its screenshot.

``make screenshots`` (scripts/gallery/screenshots.py) takes the pictures and rewrites
the table between the markers; ``python -m scripts.gallery.table --check`` (part of
``make check``) fails when the table, a screenshot or an app README's picture
is missing or stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.catalog import REPO_ROOT, AppInfo, discover_apps, smoke_visitor

SCREENSHOT = "screenshot.png"  # beside each app: apps/<name>/screenshot.png
CAPACITY = "loadtest/capacity.json"  # `make capacity` writes it, and its chart beside it
README = REPO_ROOT / "README.md"
START = "<!-- gallery:start: `make screenshots` writes this table -->"
END = "<!-- gallery:end -->"
THUMBNAIL_WIDTH = 320


class GalleryError(ValueError):
    """The README has no gallery markers, or they are out of order."""


# What a new app's README (scripts/scaffold/templates/app/) shows until its
# first screenshot exists: a link to a missing picture would look broken.
PICTURE_PLACEHOLDER = "_No picture yet: `make screenshots` takes one and shows it here._"


def show_picture(app: AppInfo) -> bool:
    """Put the screenshot in the app's README in place of the placeholder; True if changed."""
    readme = app.path / "README.md"
    text = readme.read_text() if readme.is_file() else ""
    if PICTURE_PLACEHOLDER not in text or not (app.path / SCREENSHOT).is_file():
        return False
    readme.write_text(text.replace(PICTURE_PLACEHOLDER, f"![{app.name}]({SCREENSHOT})", 1))
    return True


def run_command(app: AppInfo) -> str:
    visitor = smoke_visitor(app)
    parts = [f"make run APP={app.name}"]
    if visitor.user:
        parts.append(f"USER={visitor.user}")
    if visitor.groups:
        parts.append(f"GROUPS={','.join(visitor.groups)}")
    return " ".join(parts)


def capacity_cell(app: AppInfo, folder: str) -> str:
    """The visitors one process held, linking its chart; else the command that measures it."""
    measured = app.path / CAPACITY
    if not measured.is_file():
        return f"`make capacity APP={app.name}`"
    result = json.loads(measured.read_text())
    floor = ">= " if result.get("at_least") else ""  # the ramp ended before the limits
    chart = Path(folder) / CAPACITY
    visitors = result.get("visitors_per_process", 0)
    return f"[{floor}{visitors} visitors]({chart.with_suffix('.png').as_posix()})"


def render_table(apps: Sequence[AppInfo], root: Path = REPO_ROOT) -> str:
    rows = [
        "| app | screenshot | what it demonstrates | run it | one process holds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for app in apps:
        folder = app.path.relative_to(root).as_posix()
        picture = f'<img src="{folder}/{SCREENSHOT}" alt="{app.name}" width="{THUMBNAIL_WIDTH}">'
        text = app.description().replace("|", "\\|")
        rows.append(
            f"| [{app.name}]({folder}/README.md) | {picture} | {text} | `{run_command(app)}` "
            f"| {capacity_cell(app, folder)} |"
        )
    return "\n".join(rows)


def _split(readme_text: str) -> tuple[str, str, str]:
    """The text before the table, the table, the text after it."""
    start, end = readme_text.find(START), readme_text.find(END)
    if start < 0 or end < start:
        raise GalleryError(f"README.md needs the lines {START!r} and then {END!r}")
    head, rest = readme_text[: start + len(START)], readme_text[start + len(START) :]
    body, tail = rest[: rest.find(END)], rest[rest.find(END) :]
    return head, body.strip("\n"), tail


def with_table(readme_text: str, table: str) -> str:
    head, _, tail = _split(readme_text)
    return f"{head}\n{table}\n{tail}"


def write_readme(apps: Sequence[AppInfo], readme: Path = README) -> None:
    readme.write_text(with_table(readme.read_text(), render_table(apps, readme.parent)))


def problems(apps: Sequence[AppInfo], readme: Path = README) -> list[str]:
    """Everything that makes the gallery stale; empty when it is up to date."""
    found = []
    if _split(readme.read_text())[1] != render_table(apps, readme.parent):
        found.append(f"{readme.name}: the gallery table does not match the apps")
    for app in apps:
        if not (app.path / SCREENSHOT).is_file():
            found.append(f"{app.name}: no {SCREENSHOT}")
        app_readme = app.path / "README.md"
        if SCREENSHOT not in (app_readme.read_text() if app_readme.is_file() else ""):
            found.append(f"{app.name}: README.md does not show {SCREENSHOT}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when the gallery is stale")
    args = parser.parse_args(argv)
    apps = discover_apps()
    if not args.check:
        write_readme(apps)
        return 0
    found = problems(apps)
    for problem in found:
        print(f"gallery: {problem}", file=sys.stderr)
    if found:
        print("gallery: run `make screenshots` and commit the result", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
