"""The tooling's layout rules: scripts/ never imports the test suite."""

from __future__ import annotations

import ast
from pathlib import Path

from scripts.catalog import REPO_ROOT

SCRIPTS = REPO_ROOT / "scripts"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_tooling_module_imports_tests() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in imported_modules(path) if m == "tests" or m.startswith("tests.")
        )
        for path in sorted(SCRIPTS.rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}, (
        "tooling under scripts/ imports the test suite; move the shared code into scripts/"
    )


def test_the_import_rule_sees_test_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom tests.support.apps import import_app\nimport tests\n")
    assert imported_modules(sample) >= {"tests.support.apps", "tests"}
