"""The stand-in's pure parts: access decisions, task logs, fault rules, vanity paths."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from scripts.connect_local.access import Decision, decide
from scripts.connect_local.api.vanity import vanity_path_from_body
from scripts.connect_local.app_processes import summarise
from scripts.connect_local.builder import (
    BuildError,
    environment_key,
    local_archives,
    require_python,
)
from scripts.connect_local.directory import ANONYMOUS_PRINCIPAL, Principal, parse_visitor_spec
from scripts.connect_local.errors import ApiError
from scripts.connect_local.faults import Faults, Unavailable
from scripts.connect_local.tasks import Task
from scripts.connect_rules.vanity import normalise_vanity

OWNER = Principal("owner", "u-owner", (), ())
ALICE = Principal("alice", "u-alice", ("analysts",), ("g-analysts",))
BOB = Principal("bob", "u-bob", ("sales",), ("g-sales",))
GROUP_GRANT = [{"principal_type": "group", "principal_guid": "g-analysts", "role": "viewer"}]
USER_GRANT = [{"principal_type": "user", "principal_guid": "u-bob", "role": "viewer"}]


@pytest.mark.parametrize(
    ("access_type", "grants", "visitor", "expected"),
    [
        ("all", [], ANONYMOUS_PRINCIPAL, Decision.ALLOW),
        ("logged_in", [], ANONYMOUS_PRINCIPAL, Decision.LOGIN),
        ("logged_in", [], BOB, Decision.ALLOW),
        ("acl", [], ANONYMOUS_PRINCIPAL, Decision.LOGIN),
        ("acl", [], OWNER, Decision.ALLOW),
        ("acl", [], ALICE, Decision.DENY),
        ("acl", GROUP_GRANT, ALICE, Decision.ALLOW),
        ("acl", GROUP_GRANT, BOB, Decision.DENY),
        ("acl", USER_GRANT, BOB, Decision.ALLOW),
        ("acl", USER_GRANT, ALICE, Decision.DENY),
    ],
)
def test_access_decisions(
    access_type: str, grants: list[dict[str, str]], visitor: Principal, expected: Decision
) -> None:
    content = {"access_type": access_type, "owner_guid": "u-owner"}
    assert decide(content, grants, visitor) is expected


def test_task_output_is_incremental_and_wait_returns_on_new_lines() -> None:
    task = Task("t1", "test")
    task.log("one")
    task.log("two")
    first = task.snapshot()
    assert (first["output"], first["last"], first["finished"]) == (["one", "two"], 2, False)
    assert task.snapshot(first=2, wait=0)["output"] == []

    threading.Timer(0.05, task.log, args=("three",)).start()
    later = task.snapshot(first=2, wait=10)  # returns as soon as "three" arrives
    assert later["output"] == ["three"] and later["last"] == 3

    task.finish(code=1, error="it broke")
    done = task.snapshot(first=3, wait=10)
    assert (done["finished"], done["code"], done["error"], done["output"]) == (
        True,
        1,
        "it broke",
        [],
    )


def test_unavailable_rule_matches_method_and_glob_and_runs_out() -> None:
    faults = Faults()
    faults.add_unavailable(Unavailable(path="v1/content/*/bundles", method="POST", count=2))
    assert not faults.take_unavailable("GET", "v1/content/abc/bundles")
    assert not faults.take_unavailable("POST", "v1/content")
    assert faults.take_unavailable("POST", "v1/content/abc/bundles")
    assert faults.take_unavailable("POST", "/v1/content/def/bundles/")
    assert not faults.take_unavailable("POST", "v1/content/abc/bundles")


@pytest.mark.parametrize(
    ("given", "expected"), [("my-app", "/my-app/"), ("/team/app/", "/team/app/")]
)
def test_vanity_paths_are_normalised(given: str, expected: str) -> None:
    assert normalise_vanity(given) == expected


@pytest.mark.parametrize("bad", ["/content/x/", "/__x/", "/Connect/y/", "/a b/", "/a//b/", 7])
def test_bad_vanity_paths_are_refused(bad: object) -> None:
    with pytest.raises(ApiError):
        vanity_path_from_body({"path": bad})


def test_visitor_spec_and_error_summary() -> None:
    assert parse_visitor_spec("alice: analysts , sales") == ("alice", ["analysts", "sales"])
    assert parse_visitor_spec("bob") == ("bob", [])
    output = "Traceback (most recent call last):\n  File x\nKeyError: 'DB_URL'\n\nError: 'DB_URL'\n"
    assert summarise(output) == "KeyError: 'DB_URL'"


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ({"python": {"version": "3.12.7"}}, "3.12.1"),
        (
            {"python": {"version": "3.11.2"}, "environment": {"python": {"requires": ">=3.10"}}},
            "3.12.1",
        ),
        ({"environment": {"python": {"requires": "~=3.10.0"}}}, "3.10.4"),
        ({}, "3.10.4"),
    ],
)
def test_bundle_python_is_matched_as_connect_matches(
    manifest: dict[str, Any], expected: str
) -> None:
    assert require_python(manifest, ["3.10.4", "3.12.1"]) == expected


@pytest.mark.parametrize(
    "manifest",
    [{"python": {"version": "3.11.9"}}, {"environment": {"python": {"requires": ">=3.13"}}}],
)
def test_bundle_python_the_server_lacks_fails_the_build(manifest: dict[str, Any]) -> None:
    with pytest.raises(BuildError, match=r"this server has Python 3\.10\.4, 3\.12\.1"):
        require_python(manifest, ["3.10.4", "3.12.1"])


def test_a_wheel_in_the_bundle_counts_by_its_content(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("dash==4.4.1\n./pkg-1.0-py3-none-any.whl  # ours\nrequests\n")
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"one")
    assert local_archives(requirements) == [wheel]
    first = environment_key(requirements, "3.11")
    wheel.write_bytes(b"two")  # same name, other bytes: another environment
    assert environment_key(requirements, "3.11") != first


@pytest.mark.parametrize("line", ["../pkg-1.0-py3-none-any.whl", "/tmp/pkg-1.0.tar.gz"])
def test_a_package_file_outside_the_bundle_fails_the_build(tmp_path: Path, line: str) -> None:
    requirements = tmp_path / "bundle" / "requirements.txt"
    requirements.parent.mkdir()
    requirements.write_text(f"{line}\n")
    with pytest.raises(BuildError, match=r"outside the bundle: Connect installs only files"):
        local_archives(requirements)
