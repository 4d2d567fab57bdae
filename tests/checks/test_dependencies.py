"""Each app declares the distributions its code imports (what Connect installs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.catalog import AppInfo, discover_apps
from scripts.checks.dependencies import (
    declared_distributions,
    module_distributions,
    third_party_imports,
    undeclared_imports,
)

APPS = discover_apps()


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_app_declares_what_it_imports(app: AppInfo) -> None:
    problems = undeclared_imports(app)
    assert not problems, "\n".join(str(p) for p in problems)


def make_app(root: Path, code: str, dependencies: list[str], **files: str) -> AppInfo:
    app_dir = root / "fixture-app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(code)
    deps = ", ".join(f'"{d}"' for d in dependencies)
    (app_dir / "pyproject.toml").write_text(
        f'[project]\nname = "fixture-app"\nversion = "0"\ndependencies = [{deps}]\n'
    )
    for name, text in files.items():
        path = app_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return AppInfo("fixture-app", app_dir)


def test_catches_a_package_only_a_sibling_declares(tmp_path: Path) -> None:
    # dash-bootstrap-components is installed because connectkit needs it: not enough.
    app = make_app(
        tmp_path,
        "import dash_bootstrap_components as dbc\nfrom connectkit import create_app\n",
        ["connectkit", "dash>=4.4"],
    )
    problems = undeclared_imports(app)
    assert [(p.imp.module, p.distributions, p.imp.line) for p in problems] == [
        ("dash_bootstrap_components", ("dash-bootstrap-components",), 1)
    ]
    assert "does not declare 'dash-bootstrap-components'" in str(problems[0])


def test_catches_an_import_nothing_installed_provides(tmp_path: Path) -> None:
    app = make_app(tmp_path, "from no_such_package.sub import x\n", ["dash"])
    (problem,) = undeclared_imports(app)
    assert problem.imp.module == "no_such_package"
    assert problem.distributions == ()
    assert "which no installed distribution provides" in str(problem)


def test_declared_imports_pass_with_extras_versions_and_odd_spelling(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        "import flask\nimport dash.dcc\nfrom connectkit import page\nimport yaml\n",
        ["Flask>=3", "dash[compress]>=4.4", "connectkit", "PyYAML"],
    )
    assert undeclared_imports(app) == []


def test_stdlib_local_relative_and_future_imports_need_no_declaration(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        "from __future__ import annotations\nimport json, os.path\n"
        "import helpers\nfrom pages import home\nfrom . import sibling\n",
        [],
        **{"helpers.py": "", "pages/__init__.py": "", "pages/home.py": "import re\n"},
    )
    assert third_party_imports(app.path) == []
    assert undeclared_imports(app) == []


def test_imports_in_sub_modules_count(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, "import pages.report\n", ["dash"], **{"pages/report.py": "import flask\n"}
    )
    assert [p.imp.module for p in undeclared_imports(app)] == ["flask"]


def test_workspace_member_installed_editable_is_mapped() -> None:
    assert module_distributions()["connectkit"] == ("connectkit",)


def test_bad_dependency_string_names_the_file(tmp_path: Path) -> None:
    app = make_app(tmp_path, "", ["dash >= = 4"])
    with pytest.raises(ValueError, match=r"pyproject.toml: bad dependency 'dash >= = 4'"):
        declared_distributions(app.path / "pyproject.toml")


def test_imports_only_for_the_type_checker_need_no_declaration(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        "import typing\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import pandas\nelse:\n    import flask\n"
        "if typing.TYPE_CHECKING:\n    import plotly\n",
        [],
    )
    assert [p.imp.module for p in undeclared_imports(app)] == ["flask"]
