"""Every workflow: actions pinned to a commit, no token left in .git/config, least permissions.

A tag can be moved to other code after review; a 40-hex commit cannot. The
version the commit was tagged with stays beside it in a comment, for the
reader and for update tools. ``actions/checkout`` writes the job token into
``.git/config`` unless told not to, where any later step (the tests' code, an
app's import) can read it. ``permissions: {}`` at the top and a short list per
job: a job gets only what its steps need.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.catalog import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"#\s*(v\d+[\w.]*|main\b)")
# What a job may be granted here, and at most at which level.
ALLOWED = {"contents": "read", "pull-requests": "write", "actions": "read", "id-token": "write"}


def load(workflow: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(workflow.read_text())
    return data


def steps(workflow: Path) -> list[dict[str, Any]]:
    return [s for job in load(workflow)["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it(workflow: Path) -> None:
    for line in workflow.read_text().splitlines():
        match = USES_LINE.match(line)
        if match is None or match["ref"].startswith("./"):
            continue  # a workflow of this repository: the same commit
        assert PINNED.match(match["ref"]), f"{workflow.name}: not pinned to a commit: {line}"
        assert VERSION_COMMENT.search(match["rest"]), f"{workflow.name}: no version: {line}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_leaves_no_token_behind(workflow: Path) -> None:
    checkouts = [
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/checkout@")
    ]
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, (workflow.name, step)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_none_at_the_top_and_least_per_job(workflow: Path) -> None:
    data = load(workflow)
    assert data.get("permissions") == {}, f"{workflow.name}: top-level permissions must be {{}}"
    for name, job in data["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), f"{workflow.name}: job {name} declares no permissions"
        for scope, level in granted.items():
            assert scope in ALLOWED, f"{workflow.name}: job {name} asks for {scope}"
            assert level in ("read", ALLOWED[scope]), f"{workflow.name}: {name}: {scope}: {level}"


def test_write_access_is_where_a_step_needs_it() -> None:
    """pull-requests: write only in the jobs that post the preview comment, which run the
    base branch's code (the preview job, which runs the pull request's, may only read)."""
    for workflow in WORKFLOWS:
        for name, job in load(workflow)["jobs"].items():
            if (job.get("permissions") or {}).get("pull-requests") == "write":
                assert (workflow.name, name) in {
                    ("preview.yml", "comment"),
                    ("preview.yml", "cleanup"),
                }
