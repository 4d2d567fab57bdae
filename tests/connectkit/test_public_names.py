"""connectkit's public face (``__all__``) is exactly what the apps use.

Apps import connectkit's names from the package, never from its modules, so
a module can be split or renamed without touching an app; and a name no app
uses is not public (the tooling and the tests import it from its module).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import connectkit
import pytest

from scripts.catalog import REPO_ROOT, app_python_sources, discover_apps


def connectkit_imports(path: Path) -> Iterator[tuple[str, str]]:
    """(module, name) for each name imported from connectkit or one of its modules."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("connectkit"):
            for alias in node.names:
                yield node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("connectkit"):
                    yield alias.name, ""


def app_sources() -> list[Path]:
    return [path for app in discover_apps() for path in app_python_sources(app.path)]


@pytest.mark.parametrize("path", app_sources(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_an_app_imports_only_connectkits_public_names(path: Path) -> None:
    outside = [
        f"{module}.{name}" if name else module
        for module, name in connectkit_imports(path)
        if module != "connectkit" or name not in connectkit.__all__
    ]
    assert not outside, (
        f"{path.relative_to(REPO_ROOT)} imports {outside} from outside connectkit.__all__: "
        "import from the package (from connectkit import ...), and add the name to "
        "__all__ in shared/src/connectkit/__init__.py if apps need it"
    )


def test_every_public_name_is_used_by_an_app() -> None:
    used = {
        name
        for path in app_sources()
        for module, name in connectkit_imports(path)
        if module == "connectkit"
    }
    assert set(connectkit.__all__) == used, (
        f"public but unused by any app: {sorted(set(connectkit.__all__) - used)}"
    )


def test_the_checker_sees_a_module_import(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text("from connectkit.trust import CONNECT\nimport connectkit.visitor\n")
    assert list(connectkit_imports(source)) == [
        ("connectkit.trust", "CONNECT"),
        ("connectkit.visitor", ""),
    ]
