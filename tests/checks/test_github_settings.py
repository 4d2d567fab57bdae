"""``make github-check`` against a local GitHub answering in GitHub's REST shapes.

The answers below are written after GitHub's REST reference (branch protection,
"rules for a branch", environments, deployment branch policies, workflow
permissions, secrets, variables): a repository set up as docs/security.md says,
then one setting changed per case. Each case must print exactly that setting and
where to change it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scripts.checks import github_settings
from tests.support.fake_github_settings import fake_settings_api

REVIEWERS = {
    "type": "required_reviewers",
    "prevent_self_review": True,
    "reviewers": [{"type": "Team", "reviewer": {"slug": "pipeline-owners"}}],
}
MAIN_ONLY = {"protected_branches": False, "custom_branch_policies": True}
BRANCH_POLICIES = {"total_count": 1, "branch_policies": [{"id": 1, "name": "main"}]}
RULES = [
    {
        "type": "required_status_checks",
        "parameters": {"required_status_checks": [{"context": "check"}]},
    },
    {
        "type": "pull_request",
        "parameters": {"required_approving_review_count": 1, "require_code_owner_review": True},
    },
]
AS_DOCUMENTED: dict[str, tuple[int, Any]] = {
    "branches/main/protection": (404, {"message": "Branch not protected"}),
    "rules/branches/main": (200, RULES),
    "environments/production": (
        200,
        {
            "name": "production",
            "protection_rules": [REVIEWERS],
            "deployment_branch_policy": MAIN_ONLY,
        },
    ),
    "environments/production/deployment-branch-policies": (200, BRANCH_POLICIES),
    "environments/production/secrets": (
        200,
        {"total_count": 1, "secrets": [{"name": "CONNECT_SERVER"}]},
    ),
    "environments/connect-license": (
        200,
        {"name": "connect-license", "protection_rules": [], "deployment_branch_policy": MAIN_ONLY},
    ),
    "environments/connect-license/deployment-branch-policies": (200, BRANCH_POLICIES),
    "environments/preview": (
        200,
        {"name": "preview", "protection_rules": [REVIEWERS], "deployment_branch_policy": None},
    ),
    "actions/permissions/workflow": (
        200,
        {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": False},
    ),
    "actions/secrets": (200, {"total_count": 0, "secrets": []}),
}


def run(answers: dict[str, tuple[int, Any]], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with fake_settings_api(answers) as environ:
        status = github_settings.main([], environ)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_a_repository_set_up_as_documented_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run(AS_DOCUMENTED, capsys)
    assert status == 0, output
    assert "every checked setting is as docs/security.md says" in output


def test_classic_branch_protection_counts_too(capsys: pytest.CaptureFixture[str]) -> None:
    protection = {
        "required_status_checks": {"contexts": [], "checks": [{"context": "check"}]},
        "required_pull_request_reviews": {
            "required_approving_review_count": 2,
            "require_code_owner_reviews": True,
        },
    }
    answers = {**AS_DOCUMENTED, "branches/main/protection": (200, protection)}
    answers["rules/branches/main"] = (200, [])
    assert run(answers, capsys)[0] == 0


def set_in(**values: Any) -> Any:
    return lambda answer: answer.update(values)


# case -> (changes: (path, a new answer | a change to the answer | None: no answer),
#          the findings printed (each line "- ..."), where to change them)
CASES: dict[str, tuple[list[tuple[str, Any]], list[str], str]] = {
    "main unprotected": (
        [("rules/branches/main", (200, []))],
        ["branch main: no rule applies"],
        "Settings > Rules > Rulesets",
    ),
    "the old check name": (
        [
            (
                "rules/branches/main",
                (
                    200,
                    [
                        {
                            **RULES[0],
                            "parameters": {"required_status_checks": [{"context": "test"}]},
                        },
                        RULES[1],
                    ],
                ),
            )
        ],
        ["main: required status checks: test; expected the `check` check"],
        "Settings > Rules > Rulesets",
    ),
    "no review on main": (
        [("rules/branches/main", (200, RULES[:1]))],
        ["main: required approvals: 0", "main: review from Code Owners: not required"],
        "Settings > Rules > Rulesets",
    ),
    "production open to every branch": (
        [("environments/production", set_in(deployment_branch_policy=None))],
        ["production: deployment branches: every branch; expected `main` only"],
        "Settings > Environments > production",
    ),
    "production without reviewers": (
        [("environments/production", set_in(protection_rules=[]))],
        ["production: required reviewers: none"],
        "Settings > Environments > production",
    ),
    "production self-review": (
        [
            (
                "environments/production",
                set_in(protection_rules=[{**REVIEWERS, "prevent_self_review": False}]),
            )
        ],
        ["production: prevent self-review: off"],
        "Settings > Environments > production",
    ),
    "license environment missing": (
        [("environments/connect-license", None)],
        ["environment connect-license: missing"],
        "Settings > Environments",
    ),
    "preview limited to main": (
        [
            ("environments/preview", set_in(deployment_branch_policy=MAIN_ONLY)),
            ("environments/preview/deployment-branch-policies", (200, BRANCH_POLICIES)),
        ],
        ["preview: deployment branches: main; expected the pull requests' branches"],
        "Settings > Environments > preview",
    ),
    "actions may approve": (
        [("actions/permissions/workflow", set_in(can_approve_pull_request_reviews=True))],
        ["Allow GitHub Actions to create and approve pull requests: on"],
        "Settings > Actions > General > Workflow permissions",
    ),
    "write token by default": (
        [("actions/permissions/workflow", set_in(default_workflow_permissions="write"))],
        ["default GITHUB_TOKEN permissions: write"],
        "Settings > Actions > General > Workflow permissions",
    ),
    "a repository secret": (
        [("actions/secrets", (200, {"total_count": 1, "secrets": [{"name": "CONNECT_LICENSE"}]}))],
        ["repository secrets: CONNECT_LICENSE (keys: CONNECT_LICENSE)"],
        "Settings > Secrets and variables > Actions > Repository secrets",
    ),
    "a long-lived production key on the keyless path": (
        [("environments/production/secrets", (200, {"secrets": [{"name": "CONNECT_API_KEY"}]}))],
        ["production: CONNECT_API_KEY: a long-lived key is stored"],
        "Settings > Environments > production > Environment secrets",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_setting_that_differs_is_named_with_where_to_change_it(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    changes, findings, where = CASES[case]
    answers = copy.deepcopy(AS_DOCUMENTED)
    for path, change in changes:
        if change is None:
            del answers[path]
        elif callable(change):
            change(answers[path][1])
        else:
            answers[path] = change
    status, output = run(answers, capsys)
    assert status == 1, output
    printed = [line[2:] for line in output.splitlines() if line.startswith("- ")]
    assert len(printed) == len(findings), output
    for finding in findings:
        assert any(line.startswith(finding) for line in printed), output
    assert f"Change it in {where}" in output


def test_the_api_key_path_may_keep_its_key(capsys: pytest.CaptureFixture[str]) -> None:
    answers = {
        **AS_DOCUMENTED,
        "environments/production/secrets": (200, {"secrets": [{"name": "CONNECT_API_KEY"}]}),
        "actions/variables/CONNECT_AUTH": (200, {"name": "CONNECT_AUTH", "value": "api-key"}),
    }
    assert run(answers, capsys)[0] == 0


@pytest.mark.parametrize(
    ("path", "answer", "says"),
    [
        (
            "actions/permissions/workflow",
            (403, {"message": "Resource not accessible by personal access token"}),
            "give the token Administration: read",
        ),
        (
            "environments/production/deployment-branch-policies",
            (403, {"message": "Must have admin rights to Repository."}),
            "give the token Environments: read",
        ),
        ("actions/secrets", (404, {"message": "Not Found"}), "give the token Secrets: read"),
    ],
)
def test_a_token_without_the_permission_gets_a_clear_message(
    path: str, answer: tuple[int, Any], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = run({**AS_DOCUMENTED, path: answer}, capsys)
    assert status == 2, output
    assert says in output and path in output


def test_a_bad_token_or_none(capsys: pytest.CaptureFixture[str]) -> None:
    with fake_settings_api(AS_DOCUMENTED) as environ:
        assert github_settings.main([], {**environ, "GITHUB_TOKEN": "wrong"}) == 2
    assert "not a valid token" in capsys.readouterr().err
    assert github_settings.main([], {}) == 2
    assert "GITHUB_TOKEN and GITHUB_REPOSITORY not set" in capsys.readouterr().err
