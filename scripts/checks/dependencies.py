"""Does each app declare what it imports?

In the workspace every app sees every package any member installs, so an app
that imports a package only a sibling (or connectkit) declares runs locally
and fails on Connect, where its bundle installs only its own requirements.
This module compares the third-party imports in an app's ``.py`` files with
the ``dependencies`` in its ``pyproject.toml``.

``python -m scripts.checks.dependencies`` checks every discovered app.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from scripts.catalog import AppInfo, app_python_sources, discover_apps, is_app_code_dir


@dataclass(frozen=True)
class Import:
    """One top-level module name an app imports, and where."""

    module: str
    file: Path
    line: int


@dataclass(frozen=True)
class Undeclared:
    """An import whose distribution the app's pyproject.toml does not list."""

    app: str
    imp: Import
    distributions: tuple[str, ...]  # empty: no installed distribution provides it

    def __str__(self) -> str:
        where = f"{self.imp.file}:{self.imp.line}"
        if not self.distributions:
            return (
                f"{self.app}: {where} imports {self.imp.module!r}, which no installed "
                "distribution provides; add it to the app's dependencies"
            )
        names = " or ".join(repr(d) for d in self.distributions)
        return (
            f"{self.app}: {where} imports {self.imp.module!r} but the app's pyproject.toml "
            f"does not declare {names}; add it to [project] dependencies (it works in "
            "the workspace only because another member installs it)"
        )


def local_modules(app_dir: Path) -> set[str]:
    """Top-level names importable from the app folder itself (Connect puts it on sys.path)."""
    names = {p.stem for p in app_dir.glob("*.py")}
    names |= {p.name for p in app_dir.iterdir() if p.is_dir() and is_app_code_dir(p)}
    return names


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``: true only for the type checker."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Like ``ast.walk``, minus the bodies of ``if TYPE_CHECKING:`` (never run on Connect)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _runtime_nodes(other)
        else:
            yield from _runtime_nodes(child)


def imports_in(path: Path) -> Iterator[Import]:
    """Absolute imports that run in one file, as top-level module names."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name.partition(".")[0], path, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield Import(node.module.partition(".")[0], path, node.lineno)


def third_party_imports(app_dir: Path) -> list[Import]:
    """Imports that must come from an installed distribution: not stdlib, not local."""
    local = local_modules(app_dir)
    return [
        imp
        for source in app_python_sources(app_dir)
        for imp in imports_in(source)
        if imp.module not in sys.stdlib_module_names
        and imp.module not in local
        and imp.module != "__future__"
    ]


def declared_distributions(pyproject: Path) -> set[str]:
    """Canonical names in ``[project] dependencies`` (extras and versions dropped)."""
    if not pyproject.is_file():
        return set()
    data = tomllib.loads(pyproject.read_text())
    names: set[str] = set()
    for spec in data.get("project", {}).get("dependencies", []):
        try:
            names.add(canonicalize_name(Requirement(spec).name))
        except InvalidRequirement as error:
            raise ValueError(f"{pyproject}: bad dependency {spec!r}: {error}") from None
    return names


def _editable_top_levels(dist: metadata.Distribution) -> set[str]:
    """Packages an editable install (a ``.pth`` path) provides: workspace members."""
    names: set[str] = set()
    for file in dist.files or ():
        if file.suffix != ".pth":
            continue
        for line in Path(str(file.locate())).read_text().splitlines():
            folder = Path(line.strip())
            if line.strip() and not line.startswith(("#", "import")) and folder.is_dir():
                names |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
                names |= {p.stem for p in folder.glob("*.py")}
    return names


@cache
def module_distributions() -> Mapping[str, tuple[str, ...]]:
    """Top-level module name -> canonical names of the distributions providing it."""
    mapping: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        mapping.setdefault(module, set()).update(canonicalize_name(d) for d in dists)
    for dist in metadata.distributions():
        for module in _editable_top_levels(dist):
            mapping.setdefault(module, set()).add(canonicalize_name(dist.metadata["Name"]))
    return {module: tuple(sorted(dists)) for module, dists in mapping.items()}


def undeclared_imports(
    app: AppInfo, providers: Mapping[str, tuple[str, ...]] | None = None
) -> list[Undeclared]:
    """Every import of ``app`` whose distribution its pyproject.toml does not declare."""
    providers = module_distributions() if providers is None else providers
    declared = declared_distributions(app.path / "pyproject.toml")
    problems = []
    for imp in third_party_imports(app.path):
        dists = providers.get(imp.module, ())
        if not declared.intersection(dists):
            problems.append(Undeclared(app.name, imp, dists))
    return problems


def check_apps(apps: Iterable[AppInfo]) -> list[Undeclared]:
    return [problem for app in apps for problem in undeclared_imports(app)]


def main() -> int:
    problems = check_apps(discover_apps())
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("every app declares what it imports")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
