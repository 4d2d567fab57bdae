"""Create a new app from the template: ``make new-app NAME=my-report``.

Writes ``apps/<name>/`` (app.py, pyproject.toml, README.md) and its behaviour
tests ``tests/apps/<name_with_underscores>/`` from ``scripts/scaffold/templates/app/``,
then ``uv lock`` adds it to the workspace lock (``apps/*`` are members), so
``make run``, ``make test``, bundles and deploys pick it up with no other edit.
A bad or taken name creates nothing; a failed ``uv lock`` removes what was written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from scripts.catalog import NAME_PATTERN, REPO_ROOT

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "app"
MAX_ONE_LINE_DESCRIPTION = 80  # one line in the gallery table and on Connect


class ScaffoldError(ValueError):
    """The name or description cannot make an app; nothing was written."""


@dataclass(frozen=True)
class Scaffold:
    """Where one new app's files go inside the repository at ``root``."""

    root: Path
    name: str

    @property
    def app_dir(self) -> Path:
        return self.root / "apps" / self.name

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def test_dir(self) -> Path:
        """The app's own tests: one folder per app, as for every room of the code."""
        return self.root / "tests" / "apps" / self.module

    def outputs(self) -> dict[str, Path]:
        """Template file -> where it is written."""
        return {
            "app.py.tmpl": self.app_dir / "app.py",
            "pyproject.toml.tmpl": self.app_dir / "pyproject.toml",
            "README.md.tmpl": self.app_dir / "README.md",
            "tests_init.py.tmpl": self.test_dir / "__init__.py",
            "test_app.py.tmpl": self.test_dir / "test_app.py",
        }


def default_title(name: str) -> str:
    """``my-report`` -> ``My report``."""
    return name.replace("-", " ").capitalize()


def locked_packages(root: Path) -> set[str]:
    lock = root / "uv.lock"
    if not lock.is_file():
        return set()
    return {p["name"] for p in tomllib.loads(lock.read_text()).get("package", [])}


def validate(scaffold: Scaffold, description: str) -> None:
    """Raise ScaffoldError naming the problem and the fix; touch nothing."""
    name = scaffold.name
    if not name:
        raise ScaffoldError("NAME is not set: e.g. make new-app NAME=my-report")
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(
            f"NAME={name!r} is not a valid app name: it is the folder, the Connect content "
            "name and a URL segment, so use a lowercase letter then up to 62 lowercase "
            "letters, digits or '-' (e.g. NAME=my-report)"
        )
    taken = [p for p in (scaffold.app_dir, scaffold.test_dir) if p.exists()]
    if taken:
        where = ", ".join(str(p.relative_to(scaffold.root)) for p in taken)
        verb = "exists" if len(taken) == 1 else "exist"
        raise ScaffoldError(f"NAME={name!r} is taken: {where} already {verb}; pick another name")
    if name in locked_packages(scaffold.root):
        raise ScaffoldError(
            f"NAME={name!r} is the name of a package in uv.lock; an app of that name "
            "would clash with it in the workspace: pick another name"
        )
    if (
        not description.strip()
        or not description.isprintable()
        or len(description) > MAX_ONE_LINE_DESCRIPTION
    ):
        raise ScaffoldError(
            f"DESCRIPTION={description!r} must be one non-empty line of at most "
            f"{MAX_ONE_LINE_DESCRIPTION} characters (it is the app's summary in the gallery)"
        )


def render(template: Path, scaffold: Scaffold, title: str, description: str) -> str:
    values = {
        "name": scaffold.name,
        "module": scaffold.module,
        "title": title,
        "description": description,
    }
    literal = toml_string if template.name.startswith("pyproject") else python_string
    values |= {"title_literal": literal(title), "description_literal": literal(description)}
    return Template(template.read_text()).substitute(values)


def python_string(text: str) -> str:
    """A Python literal quoted as ruff format quotes it: double, unless that escapes more."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def uv_lock(root: Path) -> None:
    """Add the new member to uv.lock (``uv`` from $UV, as the Makefile sets it, or PATH)."""
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    result = subprocess.run([uv, "lock"], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise ScaffoldError(f"`uv lock` failed, so nothing was changed:\n{result.stderr}")


def create(
    root: Path,
    name: str,
    description: str | None = None,
    lock: Callable[[Path], None] = uv_lock,
) -> Scaffold:
    """Write the app and its test, then lock; on any failure leave the tree as it was."""
    scaffold = Scaffold(root, name)
    title = default_title(name)
    description = description if description is not None else f"{title}: a new Dash app"
    validate(scaffold, description)
    lock_file = root / "uv.lock"
    lock_before = lock_file.read_bytes() if lock_file.is_file() else None
    rendered = {
        target: render(TEMPLATE_DIR / source, scaffold, title, description)
        for source, target in scaffold.outputs().items()
    }
    try:
        for target, text in rendered.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        lock(root)
    except BaseException:
        shutil.rmtree(scaffold.app_dir, ignore_errors=True)
        shutil.rmtree(scaffold.test_dir, ignore_errors=True)
        if lock_before is not None:
            lock_file.write_bytes(lock_before)
        raise
    return scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("name", help="the app's folder, content and URL name, e.g. my-report")
    parser.add_argument("--description", help="one line: what the app demonstrates")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        scaffold = create(args.root, args.name, args.description)
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in scaffold.outputs().values():
        print(f"created {path.relative_to(scaffold.root)}")
    print(
        f"added {scaffold.name} to uv.lock. Next:\n"
        f"  make run APP={scaffold.name}\n"
        f"  make test APP={scaffold.name}\n"
        f"  make screenshots APP={scaffold.name}   # a new picture after you change it\n"
        f"Changed your mind? make remove-app NAME={scaffold.name}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
