"""The floors drawn in docs/architecture.md are the imports the code makes.

A room imports only from rooms on lower floors (or from itself): no import
goes back up, so there are no circles between rooms either.
"""

from __future__ import annotations

import re
from pathlib import Path

from scripts.catalog import REPO_ROOT
from tests.repo.test_layout import imported_modules

DOC = REPO_ROOT / "docs" / "architecture.md"


def floors(doc_text: str) -> dict[str, int]:
    """Room -> floor, from the block between the floors markers."""
    block = doc_text.split("<!-- floors:start -->")[1].split("<!-- floors:end -->")[0]
    return {
        room: int(level)
        for level, rooms in re.findall(r"^floor (\d+): (.+)$", block, flags=re.M)
        for room in rooms.split()
    }


def room_of_file(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    if parts[0] == "apps":
        return "apps"
    if parts[0] == "shared":
        return "connectkit"
    return "/".join(parts[:2])  # scripts/<room> or scripts/<module>.py


def room_of_module(module: str, root: Path) -> str | None:
    """The room an absolute import names; None outside the rooms (stdlib, packages)."""
    top, _, rest = module.partition(".")
    if top == "connectkit":
        return "connectkit"
    if top == "scripts" and rest:
        name = rest.split(".")[0]
        return (
            f"scripts/{name}.py"
            if (root / "scripts" / f"{name}.py").is_file()
            else f"scripts/{name}"
        )
    return None


def upward_imports(root: Path, levels: dict[str, int]) -> list[str]:
    sources = [
        *root.glob("scripts/**/*.py"),
        *root.glob("apps/**/*.py"),
        *root.glob("shared/**/*.py"),
    ]
    found = []
    for path in sorted(sources):
        if "baselines" in path.parts:  # benchmark subjects: measured apps, not the tooling
            continue
        room = room_of_file(path, root)
        for module in sorted(imported_modules(path)):
            target = room_of_module(module, root)
            if target is None or target == room:
                continue
            if room not in levels or target not in levels:
                found.append(f"{path.relative_to(root)}: {room} or {target} is on no floor")
            elif levels[target] >= levels[room]:
                found.append(
                    f"{path.relative_to(root)} ({room}, floor {levels[room]}) imports "
                    f"{module} ({target}, floor {levels[target]})"
                )
    return found


def test_every_import_goes_down_a_floor() -> None:
    assert upward_imports(REPO_ROOT, floors(DOC.read_text())) == []


def test_every_room_is_on_a_floor() -> None:
    levels = floors(DOC.read_text())
    rooms = {room_of_file(p, REPO_ROOT) for p in REPO_ROOT.glob("scripts/**/*.py")}
    rooms.discard("scripts/__init__.py")
    assert rooms - levels.keys() == set(), "add the new room to docs/architecture.md's floors"


def test_the_rule_catches_an_import_that_goes_up(tmp_path: Path) -> None:
    (tmp_path / "scripts" / "runner").mkdir(parents=True)
    (tmp_path / "scripts" / "deploy").mkdir()
    (tmp_path / "scripts" / "runner" / "run.py").write_text("from scripts.deploy.cli import main\n")
    (tmp_path / "scripts" / "deploy" / "cli.py").write_text("from scripts.runner import run\n")
    levels = {"scripts/runner": 1, "scripts/deploy": 3}
    assert upward_imports(tmp_path, levels) == [
        "scripts/runner/run.py (scripts/runner, floor 1) imports scripts.deploy.cli "
        "(scripts/deploy, floor 3)"
    ]
