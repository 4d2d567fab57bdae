"""Where keys and identity tokens can appear in the workflows, read from the files.

- ``id-token: write`` (GitHub mints OIDC tokens for the job) only in jobs that
  request one and exchange it, never for a whole workflow;
- deploy.yml's keyless path names no ``secrets.CONNECT_API_KEY``: the key is
  read only by the step that runs when ``vars.CONNECT_AUTH == 'api-key'``;
- ``CONNECT_LICENSE`` only in jobs of the ``connect-license`` environment;
- the deploy report is kept days, not months; uv is one pinned version everywhere.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from scripts.catalog import REPO_ROOT
from tests.preview.test_workflow_secrets import WORKFLOWS, load, secrets_named

TOKEN_REQUEST = "ACTIONS_ID_TOKEN_REQUEST_URL"


def dump(data: Any) -> str:
    return yaml.safe_dump(data, width=10**6)


def all_jobs() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path.name, name): job
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for name, job in load(path.name)["jobs"].items()
    }


def test_id_token_write_only_in_jobs_that_exchange_a_token() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        assert "id-token" not in dump(load(path.name).get("permissions", {})), path.name
    with_id_token = {
        key for key, job in all_jobs().items() if job.get("permissions", {}).get("id-token")
    }
    requesting = {key for key, job in all_jobs().items() if TOKEN_REQUEST in dump(job)}
    assert with_id_token == requesting == {("deploy.yml", "deploy")}
    assert all_jobs()[("deploy.yml", "deploy")]["permissions"]["id-token"] == "write"


def deploy_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load("deploy.yml")["jobs"]["deploy"]["steps"]
    return steps


def test_the_keyless_deploy_names_no_api_key() -> None:
    keyless = [s for s in deploy_steps() if "CONNECT_IDENTITY_TOKEN_FILE" in s.get("env", {})]
    with_key = [s for s in deploy_steps() if "CONNECT_API_KEY" in secrets_named(dump(s))]
    assert len(keyless) == 1 and len(with_key) == 1
    assert "CONNECT_API_KEY" not in dump(keyless[0])
    assert keyless[0]["if"] == "steps.identity.outcome == 'success'"
    identity = next(s for s in deploy_steps() if s.get("id") == "identity")
    assert "vars.CONNECT_AUTH != 'api-key'" in identity["if"]
    assert "vars.CONNECT_AUTH == 'api-key'" in with_key[0]["if"]


def test_the_license_is_read_only_in_its_main_only_environment() -> None:
    for (workflow, name), job in all_jobs().items():
        if "CONNECT_LICENSE" in secrets_named(dump(job)):
            assert job.get("environment") == "connect-license", (workflow, name)


def test_the_deploy_report_is_kept_days_not_months() -> None:
    upload = next(s for s in deploy_steps() if "upload-artifact" in s.get("uses", ""))
    assert 1 <= upload["with"]["retention-days"] <= 7


def test_uv_is_one_pinned_version_everywhere() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    required = pyproject["tool"]["uv"]["required-version"]
    assert required.startswith("==")
    version = required[2:]
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(rf"(?m)^UV_VERSION := {re.escape(version)}$", makefile)
    setups = [
        step
        for job in all_jobs().values()
        for step in job.get("steps", [])
        if "astral-sh/setup-uv" in step.get("uses", "")
    ]
    assert setups
    assert all(step["with"]["version"] == version for step in setups)
