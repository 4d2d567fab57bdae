"""``make github-check``: the repository's GitHub settings against docs/security.md.

Reads them through GitHub's REST API and prints each one that differs, with
where to change it; exit 1 when any differs, 2 when they cannot be read (the
token's missing permission is named). Nothing is changed.

    GITHUB_TOKEN=... GITHUB_REPOSITORY=owner/repo make github-check

The token needs read access to the repository's administration, environments,
secrets and variables (a fine-grained token: "Administration", "Environments",
"Secrets", "Variables": read-only), or a classic token with ``repo``; branch
protection is readable by administrators only. ``GITHUB_API_URL`` points at
GitHub Enterprise (default https://api.github.com).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT_S = 30.0
BRANCH = "main"
REQUIRED_CHECK = "check"  # test.yml's job: the status check branch protection names
MAIN_ONLY_ENVIRONMENTS = ("production", "connect-license")
KEYS = ("CONNECT_API_KEY", "CONNECT_PREVIEW_API_KEY", "CONNECT_LICENSE")

BRANCHES = "Settings > Rules > Rulesets (or Branches > Branch protection rules) > main"
ACTIONS = "Settings > Actions > General > Workflow permissions"
SECRETS = "Settings > Secrets and variables > Actions"


def environments_at(name: str) -> str:
    return f"Settings > Environments > {name}"


class ScopeError(RuntimeError):
    """The token cannot read a setting; the message names the permission to add."""


@dataclass(frozen=True)
class Finding:
    setting: str
    expected: str
    found: str
    where: str

    def __str__(self) -> str:
        return (
            f"- {self.setting}: {self.found}; expected {self.expected}.\n"
            f"  Change it in {self.where}"
        )


# What a fine-grained token needs to read each path (first match), for the error message.
PERMISSION_FOR = (
    ("branches/", "Administration: read (branch protection is shown to administrators only)"),
    ("rules/", "Metadata: read"),
    ("environments/production/secrets", "Secrets: read"),
    ("environments/", "Environments: read (Administration: read for branch policies)"),
    ("actions/secrets", "Secrets: read"),
    ("actions/variables", "Variables: read"),
    ("actions/permissions", "Administration: read"),
)


def permission_for(path: str) -> str:
    return next((p for prefix, p in PERMISSION_FOR if path.startswith(prefix)), "repo: read")


class GitHubApi:
    def __init__(self, environ: Mapping[str, str]) -> None:
        missing = [n for n in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not environ.get(n)]
        if missing:
            raise ScopeError(
                f"{' and '.join(missing)} not set: GITHUB_TOKEN=<a token that can read the "
                "settings> GITHUB_REPOSITORY=owner/repo make github-check"
            )
        self.base = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.repo = environ["GITHUB_REPOSITORY"]
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {environ['GITHUB_TOKEN']}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )

    def get(self, path: str, *, absent: str = "") -> Any:
        """The JSON at ``repos/<repo>/<path>``; None for a 404 whose message holds ``absent``
        (GitHub answers 404 both for what does not exist and for what a token may not see)."""
        url = f"{self.base}/repos/{self.repo}/{path}"
        response = self.session.get(url, timeout=TIMEOUT_S)
        if response.status_code == 401:
            raise ScopeError("GITHUB_TOKEN was refused (401): it is not a valid token")
        message = _message(response)
        if response.status_code == 404 and absent and absent in message:
            return None
        if response.status_code in (403, 404):
            raise ScopeError(
                f"GITHUB_TOKEN cannot read {self.repo}/{path} (HTTP {response.status_code}: "
                f"{message}); check GITHUB_REPOSITORY and give the token {permission_for(path)}"
            )
        response.raise_for_status()
        return response.json()


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else ""


# -- main's protection: classic branch protection and rulesets, either counts -----------


@dataclass
class MainRules:
    checks: set[str]
    approvals: int
    code_owners: bool
    protected: bool


def main_rules(api: GitHubApi) -> MainRules:
    rules = MainRules(checks=set(), approvals=0, code_owners=False, protected=False)
    protection = api.get(f"branches/{BRANCH}/protection", absent="Branch not protected")
    if protection:
        rules.protected = True
        status = protection.get("required_status_checks") or {}
        rules.checks |= set(status.get("contexts") or [])
        rules.checks |= {c.get("context") for c in status.get("checks") or []}
        reviews = protection.get("required_pull_request_reviews") or {}
        rules.approvals = int(reviews.get("required_approving_review_count") or 0)
        rules.code_owners = bool(reviews.get("require_code_owner_reviews"))
    for rule in api.get(f"rules/branches/{BRANCH}") or []:
        rules.protected = True
        parameters = rule.get("parameters") or {}
        if rule.get("type") == "required_status_checks":
            rules.checks |= {c.get("context") for c in parameters.get("required_status_checks", [])}
        if rule.get("type") == "pull_request":
            count = int(parameters.get("required_approving_review_count") or 0)
            rules.approvals = max(rules.approvals, count)
            rules.code_owners |= bool(parameters.get("require_code_owner_review"))
    return rules


def check_main(api: GitHubApi) -> list[Finding]:
    rules = main_rules(api)
    if not rules.protected:
        return [Finding(f"branch {BRANCH}", "protected by a ruleset", "no rule applies", BRANCHES)]
    found = []
    if REQUIRED_CHECK not in rules.checks:
        checks = ", ".join(sorted(c for c in rules.checks if c)) or "none"
        found.append(
            Finding(
                f"{BRANCH}: required status checks",
                f"the `{REQUIRED_CHECK}` check (test.yml's job)",
                checks,
                BRANCHES,
            )
        )
    if rules.approvals < 1:
        found.append(
            Finding(
                f"{BRANCH}: required approvals",
                "at least 1 (nobody merges their own change to the pipeline)",
                str(rules.approvals),
                BRANCHES,
            )
        )
    if not rules.code_owners:
        found.append(
            Finding(
                f"{BRANCH}: review from Code Owners",
                "required (.github/CODEOWNERS covers the pipeline's files)",
                "not required",
                BRANCHES,
            )
        )
    return found


# -- environments --------------------------------------------------------------------


def branch_names(api: GitHubApi, name: str, environment: Mapping[str, Any]) -> set[str] | None:
    """The branch patterns ``name`` admits (None: every branch)."""
    policy = environment.get("deployment_branch_policy")
    if not policy:
        return None
    if policy.get("protected_branches"):
        return {"<protected branches>"}
    policies = api.get(f"environments/{name}/deployment-branch-policies") or {}
    return {p.get("name", "") for p in policies.get("branch_policies", [])}


def _reviewers(environment: Mapping[str, Any]) -> Mapping[str, Any] | None:
    rules = environment.get("protection_rules") or []
    return next((r for r in rules if r.get("type") == "required_reviewers"), None)


def check_environment(api: GitHubApi, name: str) -> list[Finding]:
    where = environments_at(name)
    environment = api.get(f"environments/{name}", absent="Not Found")
    if environment is None:
        return [Finding(f"environment {name}", "to exist", "missing", "Settings > Environments")]
    found = []
    branches = branch_names(api, name, environment)
    if name in MAIN_ONLY_ENVIRONMENTS and branches != {BRANCH}:
        shown = "every branch" if branches is None else ", ".join(sorted(branches))
        found.append(Finding(f"{name}: deployment branches", f"`{BRANCH}` only", shown, where))
    if name == "preview" and branches is not None and branches <= {BRANCH, "<protected branches>"}:
        found.append(
            Finding(
                "preview: deployment branches",
                "the pull requests' branches (all, or a pattern they match)",
                ", ".join(sorted(branches)),
                where,
            )
        )
    reviewers = _reviewers(environment)
    if name == "production":
        if reviewers is None or not reviewers.get("reviewers"):
            found.append(Finding("production: required reviewers", "at least one", "none", where))
        elif not reviewers.get("prevent_self_review"):
            found.append(
                Finding(
                    "production: prevent self-review",
                    "on",
                    "off (a pusher approves own deploy)",
                    where,
                )
            )
    return found


def check_environment_secrets(api: GitHubApi, keyless: bool) -> list[Finding]:
    secrets = api.get("environments/production/secrets", absent="Not Found") or {}
    names = {s.get("name") for s in secrets.get("secrets", [])}
    if keyless and "CONNECT_API_KEY" in names:
        return [
            Finding(
                "production: CONNECT_API_KEY",
                "absent on the keyless path (the job exchanges an identity token)",
                "a long-lived key is stored",
                f"{environments_at('production')} > Environment secrets (delete the key on "
                "Connect too)",
            )
        ]
    return []


# -- the repository: actions permissions, repository-level secrets --------------------


def check_actions(api: GitHubApi) -> list[Finding]:
    workflow = api.get("actions/permissions/workflow")
    found = []
    if workflow.get("default_workflow_permissions") != "read":
        found.append(
            Finding(
                "default GITHUB_TOKEN permissions",
                "read (each job lists what it needs)",
                str(workflow.get("default_workflow_permissions")),
                ACTIONS,
            )
        )
    if workflow.get("can_approve_pull_request_reviews"):
        found.append(
            Finding(
                "Allow GitHub Actions to create and approve pull requests",
                "off (a workflow could approve its own change)",
                "on",
                ACTIONS,
            )
        )
    return found


def check_repository_secrets(api: GitHubApi) -> list[Finding]:
    secrets = api.get("actions/secrets") or {}
    names = sorted(s.get("name", "") for s in secrets.get("secrets", []))
    if not names:
        return []
    keys = [n for n in names if n in KEYS or n.startswith("CONNECT_")]
    return [
        Finding(
            "repository secrets",
            "none (a repository secret reaches every workflow of every pushed branch)",
            ", ".join(names) + (f" (keys: {', '.join(keys)})" if keys else ""),
            f"{SECRETS} > Repository secrets: move each to its environment",
        )
    ]


def keyless_path(api: GitHubApi) -> bool:
    variable = api.get("actions/variables/CONNECT_AUTH", absent="Not Found")
    return not variable or variable.get("value") != "api-key"


CHECKS: tuple[Callable[[GitHubApi], Iterable[Finding]], ...] = (
    check_main,
    lambda api: check_environment(api, "production"),
    lambda api: check_environment(api, "preview"),
    lambda api: check_environment(api, "connect-license"),
    lambda api: check_environment_secrets(api, keyless_path(api)),
    check_actions,
    check_repository_secrets,
)


def findings(api: GitHubApi) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(api)]


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0]).parse_args(argv)
    try:
        api = GitHubApi(environ)
        found = findings(api)
    except ScopeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except requests.RequestException as error:
        print(f"error: cannot read GitHub's settings ({error})", file=sys.stderr)
        return 2
    if not found:
        print(f"{api.repo}: every checked setting is as docs/security.md says")
        return 0
    print(f"{api.repo}: {len(found)} setting(s) differ from docs/security.md:")
    for finding in found:
        print(finding)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
