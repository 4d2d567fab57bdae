"""connectkit's public names load on first use: the tooling pays nothing for Dash.

The deploy tool, the bundler and the Connect stand-in run as many short
processes (dozens per test run); each imports connectkit's pure modules
(``credentials``, ``title``). Were Dash imported with the package, each
would spend about a second importing it for nothing.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import connectkit
import pytest

from scripts.catalog import REPO_ROOT

TOOLS = ("scripts.deploy.cli", "scripts.bundle.build", "scripts.connect_local.server")


@pytest.mark.parametrize("name", connectkit.__all__)
def test_each_public_name_is_the_one_its_module_defines(name: str) -> None:
    value = getattr(connectkit, name)
    module = importlib.import_module(f"connectkit.{connectkit._MODULE_OF[name]}")
    assert getattr(module, name) is value
    assert name in dir(connectkit)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'create_ap'"):
        connectkit.create_ap  # noqa: B018  # the lookup itself is what fails


def test_the_tooling_imports_without_dash() -> None:
    loaded = "sorted(m for m in sys.modules if m.partition('.')[0] == 'dash')"
    code = f"import sys\nimport {', '.join(TOOLS)}\nprint({loaded})"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
