"""Which apps exist: every ``apps/<name>/app.py``, discovered, never listed by hand."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = REPO_ROOT / "apps"
ENTRYPOINT = "app:app"
SETTINGS_TABLE = "monorepo"  # [tool.monorepo] in each app's pyproject.toml
# An app's folder name is also its Connect content name and URL segment.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
# Folders an app folder may hold that are not the app's code: tests, caches,
# virtualenvs, local data, rsconnect deployment records, screenshots, the load
# test's recording and capacity chart. Bundles leave them out, and the import
# and dependency checks do not read them.
NOT_APP_CODE_DIRS = frozenset(
    {
        "tests",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        ".hypothesis",
        ".venv",
        "venv",
        ".cache",
        "cache",
        "build",
        "rsconnect-python",
        "screenshots",
        "loadtest",
        ".git",
        "node_modules",
    }
)


class UnknownAppError(LookupError):
    """Raised for an app name that names no folder under apps/."""


@dataclass(frozen=True)
class AppInfo:
    name: str
    path: Path

    @property
    def module_file(self) -> Path:
        return self.path / "app.py"

    def description(self) -> str:
        """The one line of ``[project] description`` (empty when there is none)."""
        project = self._pyproject().get("project", {})
        value = project.get("description", "") if isinstance(project, dict) else ""
        return " ".join(str(value).split())

    def _pyproject(self) -> dict[str, Any]:
        pyproject = self.path / "pyproject.toml"
        return tomllib.loads(pyproject.read_text()) if pyproject.is_file() else {}

    def settings(self) -> dict[str, Any]:
        """The app's ``[tool.monorepo]`` table (deploy and smoke settings)."""
        table = self._pyproject().get("tool", {}).get(SETTINGS_TABLE, {})
        return table if isinstance(table, dict) else {}


def discover_apps(apps_dir: Path = APPS_DIR) -> list[AppInfo]:
    """All apps, sorted by name: folders holding an ``app.py``."""
    if not apps_dir.is_dir():
        return []
    return [
        AppInfo(name=entry.parent.name, path=entry.parent)
        for entry in sorted(apps_dir.glob("*/app.py"))
    ]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'hello'?)`` for the closest choice to a mistyped name, else ``""``."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def find_app(name: str, apps_dir: Path = APPS_DIR) -> AppInfo:
    """The app called ``name``, or an error that suggests a near match and lists the apps."""
    apps = discover_apps(apps_dir)
    for info in apps:
        if info.name == name:
            return info
    names = [a.name for a in apps]
    known = ", ".join(names) or "(none)"
    raise UnknownAppError(
        f"no app named {name!r} under {apps_dir}{did_you_mean(name, names)}; "
        f"expected one of: {known}"
    )


def is_virtualenv(folder: Path) -> bool:
    return (folder / "bin" / "python").exists() or (folder / "pyvenv.cfg").exists()


def is_app_code_dir(folder: Path) -> bool:
    """A folder inside an app that holds the app's code (not a cache, test or virtualenv)."""
    return folder.name not in NOT_APP_CODE_DIRS and not is_virtualenv(folder)


def app_python_sources(app_dir: Path) -> Iterator[Path]:
    """The app's own ``.py`` files, sorted: what its bundle ships and the checks read."""
    for path in sorted(app_dir.rglob("*.py")):
        parents = path.relative_to(app_dir).parents
        if all(is_app_code_dir(app_dir / p) for p in parents if p != Path(".")):
            yield path


@dataclass(frozen=True)
class SmokeVisitor:
    """Who the smoke test and ``make screenshots`` visit an app as (anonymous: no user)."""

    user: str = ""
    groups: tuple[str, ...] = ()


def smoke_visitor(app: AppInfo) -> SmokeVisitor:
    """``[tool.monorepo.smoke]`` user/groups, for an app whose page needs a member."""
    smoke = app.settings().get("smoke", {})
    return SmokeVisitor(str(smoke.get("user", "")), tuple(str(g) for g in smoke.get("groups", ())))


def smoke_env(app: AppInfo, tmp: Path) -> dict[str, str]:
    """``[tool.monorepo.smoke] env`` (what the app needs to open), ``{tmp}`` replaced by ``tmp``."""
    env = app.settings().get("smoke", {}).get("env", {})
    return {str(k): str(v).replace("{tmp}", str(tmp)) for k, v in env.items()}


def celery_app_of(app: AppInfo) -> str | None:
    """``[tool.monorepo.jobs] celery_app`` (``module:attribute``): the Celery app its
    worker runs when ``REDIS_URL`` is set; None for an app without background jobs."""
    jobs = app.settings().get("jobs", {})
    target = jobs.get("celery_app") if isinstance(jobs, dict) else None
    return str(target) if target else None


def listing(apps: Iterable[AppInfo]) -> str:
    """One line per app: its name, then its one-line description."""
    rows = [(a.name, a.description()) for a in apps]
    width = max((len(name) for name, _ in rows), default=0)
    return "\n".join(f"{name:<{width}}  {text}".rstrip() for name, text in rows)


def main(argv: list[str] | None = None) -> int:
    """``make list`` (every app with its description); ``--check NAME`` for the Makefile."""
    parser = argparse.ArgumentParser(description="List the apps under apps/.")
    parser.add_argument("--check", metavar="NAME", help="exit 2 with a hint unless NAME is an app")
    args = parser.parse_args(argv)
    if args.check is not None:
        try:
            find_app(args.check)
        except UnknownAppError as error:
            print(f"error: APP={args.check}: {error}", file=sys.stderr)
            return 2
        return 0
    print(listing(discover_apps()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
