"""The GitHub workflows call only what exists: make targets, python modules; actionlint passes."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.catalog import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
SHELL_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")"}
MODULE_CALL = re.compile(r"python -m (?P<module>[\w.]+)")


def run_scripts(workflow: Path) -> list[str]:
    """Every step's ``run:`` script, in every job, and the ``command`` a
    posit-dev/with-connect step runs (a shell script too)."""
    data: dict[str, Any] = yaml.safe_load(workflow.read_text())
    steps = [step for job in data["jobs"].values() for step in job.get("steps", [])]
    scripts = [step["run"] for step in steps if "run" in step]
    with_connect = [
        s for s in steps if str(s.get("uses", "")).startswith("posit-dev/with-connect@")
    ]
    return scripts + [step["with"]["command"] for step in with_connect]


def make_targets_called(script: str) -> set[str]:
    """Targets named on each ``make`` command (variables, flags, redirections skipped).

    ``make`` counts only as a command (first word, or after ``;``, ``&&``...):
    ``apt-get install make`` installs it, it calls nothing.
    """
    targets = set()
    for line in script.replace("\\\n", " ").splitlines():
        line = re.sub(r"\d+>", ">", line)  # 2>/dev/null: a redirection, no "2" argument
        words = list(shlex.shlex(line, posix=True, punctuation_chars=True))
        starts = [0] + [i + 1 for i, word in enumerate(words) if word in SHELL_SEPARATORS]
        for start in starts:
            if words[start : start + 1] != ["make"]:
                continue
            after_redirection = False
            for argument in words[start + 1 :]:
                if argument in SHELL_SEPARATORS:
                    break
                skipped = after_redirection or "=" in argument
                if not (skipped or argument.startswith(("-", ">", "<"))):
                    targets.add(argument)
                after_redirection = argument.startswith((">", "<"))
    return targets


def makefile_targets() -> set[str]:
    """The targets make itself knows, from its database (``make -pRrq``: nothing is run)."""
    result = subprocess.run(
        ["make", "-pRrq", "-f", "Makefile", ":"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    targets, skip_next = set(), False
    for line in result.stdout.splitlines():
        if line.startswith("# Not a target:"):
            skip_next = True
            continue
        match = re.match(r"^([A-Za-z0-9][\w.-]*):", line)
        if match and not skip_next:
            targets.add(match.group(1))
        skip_next = False
    return targets


def test_the_parsers_see_targets_and_flags() -> None:
    script = (
        "apt-get install -y git make python3 >/dev/null\n"
        'make browser\nmake preview PR="$PR" -j2 && echo done; make check # not: make x\n'
        "make \\\n  lint 2>/dev/null > out.txt"
    )
    assert make_targets_called(script) == {"browser", "preview", "check", "lint"}
    assert {"check", "lint", "preview", "preview-cleanup", "deploy-all"} <= makefile_targets()
    assert "no-such-target" not in makefile_targets()


def test_the_workflows_exist() -> None:
    assert [w.name for w in WORKFLOWS] == ["connect.yml", "deploy.yml", "preview.yml", "test.yml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_make_target_a_workflow_calls_exists(workflow: Path) -> None:
    called = set().union(*(make_targets_called(s) for s in run_scripts(workflow)))
    assert called, f"{workflow.name} calls no make target"
    missing = called - makefile_targets()
    assert not missing, f"{workflow.name} calls make targets the Makefile lacks: {missing}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_python_module_a_workflow_runs_exists(workflow: Path) -> None:
    for script in run_scripts(workflow):
        for module in MODULE_CALL.findall(script):
            path = REPO_ROOT.joinpath(*module.split("."))
            assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module


def test_actionlint_passes_on_every_workflow() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"
    result = subprocess.run(
        [str(actionlint), *map(str, WORKFLOWS)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_connect_job_runs_only_with_the_license_and_says_when_skipped() -> None:
    data: dict[str, Any] = yaml.safe_load((REPO_ROOT / ".github/workflows/connect.yml").read_text())
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"push", "schedule", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"]}
    assert data["permissions"] == {}
    gate, job = data["jobs"]["gate"], data["jobs"]["real-connect"]
    assert gate["permissions"] == job["permissions"] == {"contents": "read"}
    check = gate["steps"][0]
    assert "secrets.CONNECT_LICENSE != ''" in check["env"]["HAS_LICENSE"]
    assert ".fork" in check["run"] and "GITHUB_STEP_SUMMARY" in check["run"]
    assert job["needs"] == "gate" and job["if"] == "needs.gate.outputs.enabled == 'true'"
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    assert job["steps"][0]["with"]["persist-credentials"] is False
    connect = next(
        s for s in job["steps"] if s.get("uses", "").startswith("posit-dev/with-connect@")
    )
    assert connect["with"]["license"] == "${{ secrets.CONNECT_LICENSE }}"
    assert connect["with"]["command"].startswith("make test-connect ")
