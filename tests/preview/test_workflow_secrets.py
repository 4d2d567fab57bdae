"""A pull request's preview job cannot read the production key, read from the workflow files.

GitHub gives a job the secrets of the environment it names (and the
repository's). The production key lives in the ``production`` environment,
whose deployment branch rule allows ``main`` only (docs/security.md): a job of
a pull request that names it is not run. So what must hold in the files:

- ``preview.yml`` runs every job that names a secret in the ``preview`` environment
  and names only preview secrets (``CONNECT_PREVIEW_API_KEY``, ``PREVIEW_<NAME>``, the
  server URL); nothing hands it all secrets (``secrets: inherit``, ``toJSON(secrets)``);
  the job that posts the comment (a write token) holds no secret and runs base code;
- no workflow a pull request triggers names ``production`` or the production key;
- ``deploy.yml`` runs only for ``main`` (push, or by hand on main) and only its
  deploy job is in ``production``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from scripts.catalog import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SECRET = re.compile(r"secrets\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)|secrets\s*\[")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
PREVIEW_SECRETS = re.compile(r"CONNECT_PREVIEW_API_KEY|CONNECT_SERVER|PREVIEW_[A-Z0-9_]+")
PULL_REQUEST_EVENTS = {"pull_request", "pull_request_target", "pull_request_review"}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return data


def triggers(data: dict[str, Any]) -> set[str]:
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as True
    return set(on) if isinstance(on, dict | list) else {str(on)}


def secrets_named(text: str) -> set[str]:
    """Every secret an expression names (``${{ ... }}``; commented-out ones count too)."""
    names = set()
    expressions = " ".join(EXPRESSION.findall(text))
    for match in SECRET.finditer(expressions):
        assert match[1] is not None, "secrets[...] hides which secret is read"
        names.add(match[1])
    return names


def test_every_preview_job_with_a_secret_runs_in_the_preview_environment() -> None:
    jobs = load("preview.yml")["jobs"]
    text = {name: yaml.safe_dump(job, width=10**6) for name, job in jobs.items()}  # unfolded
    with_secrets = {name for name in jobs if secrets_named(text[name])}
    assert with_secrets == {"preview", "cleanup"}
    assert all(jobs[name].get("environment") == "preview" for name in with_secrets)
    # The job that posts (a write token) holds no secret and runs the base branch's code.
    comment = jobs["comment"]
    assert "environment" not in comment
    checkout = next(s for s in comment["steps"] if "checkout" in s.get("uses", ""))
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


def test_the_preview_workflow_names_only_preview_secrets() -> None:
    text = (WORKFLOWS / "preview.yml").read_text()
    named = secrets_named(text)
    assert "CONNECT_PREVIEW_API_KEY" in named
    assert all(PREVIEW_SECRETS.fullmatch(n) for n in named), named
    assert "CONNECT_API_KEY" not in named  # the production key
    assert "inherit" not in text and "toJSON(secrets" not in text


def test_no_workflow_a_pull_request_runs_can_enter_production() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        data = load(path.name)
        if not triggers(data) & PULL_REQUEST_EVENTS:
            continue
        text = path.read_text()
        assert "production" not in [job.get("environment") for job in data["jobs"].values()]
        assert "secrets.CONNECT_API_KEY" not in text.replace(" ", ""), path.name
        assert "secrets: inherit" not in text, path.name


def test_deploy_runs_for_main_only_and_only_its_deploy_job_holds_the_key() -> None:
    data = load("deploy.yml")
    assert triggers(data) == {"push", "workflow_dispatch"}
    on = data.get("on", data.get(True))
    assert on["push"] == {"branches": ["main"]}
    deploy = data["jobs"]["deploy"]
    assert deploy["environment"] == "production"
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    for name, job in data["jobs"].items():
        if name != "deploy":
            assert "environment" not in job and "CONNECT_API_KEY" not in yaml.safe_dump(job)
