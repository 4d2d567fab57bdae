"""Server policy and PATCH validation with Connect's error codes; prohibited variable names."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, running_connect_local

POLICY_FLAGS = [
    "--most-permissive-access-type",
    "logged_in",
    "--max-processes-limit",
    "4",
    "--default-max-processes",
    "2",
]


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("policy") / "state"
    with running_connect_local(state, extra_args=POLICY_FLAGS) as server:
        yield server


@pytest.fixture
def guid(connect: ConnectLocal, request: pytest.FixtureRequest) -> str:
    name = request.node.name.replace("test_", "")[:60].replace("[", "-").replace("]", "")
    created: str = connect.api("POST", "v1/content", {"name": name, "title": "Policy"})["guid"]
    return created


def refused(connect: ConnectLocal, guid: str, body: Any) -> tuple[int, int, str]:
    """(status, code, message) of a PATCH that must be refused, checking nothing changed."""
    before = connect.api("GET", f"v1/content/{guid}")
    status, error = connect.request("PATCH", f"__api__/v1/content/{guid}", body)
    assert connect.api("GET", f"v1/content/{guid}") == before, body
    return status, error["code"], error["error"]


def test_access_type_beyond_the_policy_is_118(connect: ConnectLocal, guid: str) -> None:
    status, code, message = refused(connect, guid, {"access_type": "all"})
    assert (status, code) == (403, 118) and "'logged_in'" in message
    for allowed in ("logged_in", "acl"):
        connect.api("PATCH", f"v1/content/{guid}", {"access_type": allowed})
    status, error = connect.request(
        "POST", "__api__/v1/content", {"name": "born-public", "access_type": "all"}
    )
    assert (status, error["code"]) == (403, 118)
    assert connect.api("GET", "v1/content?name=born-public") == []


def test_process_limits_are_113_and_114(connect: ConnectLocal, guid: str) -> None:
    assert refused(connect, guid, {"max_processes": 5})[:2] == (400, 113)
    connect.api("PATCH", f"v1/content/{guid}", {"max_processes": 4})
    # min above the effective max: the server default (2) when max_processes is null
    status, code, message = refused(connect, guid, {"max_processes": None, "min_processes": 3})
    assert (status, code) == (400, 114) and "server default" in message
    connect.api("PATCH", f"v1/content/{guid}", {"min_processes": 3})  # max is 4
    assert refused(connect, guid, {"max_processes": 2})[:2] == (400, 114)
    connect.api("PATCH", f"v1/content/{guid}", {"min_processes": None, "max_processes": None})
    content = connect.api("GET", f"v1/content/{guid}")
    assert (content["min_processes"], content["max_processes"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "ab"}, 122),
        ({"title": "x" * 1025}, 122),
        ({"description": "x" * 4097}, 123),
        ({"read_timeout": -1}, 151),
        ({"idle_timeout": 2_592_001}, 151),
        ({"colour": "red"}, 25),
        ({"guid": "00000000-0000-0000-0000-000000000000"}, 25),
        ({"max_processes": "3"}, 25),
    ],
)
def test_bad_fields_are_refused_with_connects_code(
    connect: ConnectLocal, guid: str, body: dict[str, Any], code: int
) -> None:
    assert refused(connect, guid, body)[:2] == (400, code)


def test_limits_themselves_are_accepted(connect: ConnectLocal, guid: str) -> None:
    accepted = {
        "title": "x" * 1024,
        "description": "x" * 4096,
        "read_timeout": 2_592_000,
        "idle_timeout": 0,
    }
    connect.api("PATCH", f"v1/content/{guid}", accepted)
    content = connect.api("GET", f"v1/content/{guid}")
    assert {k: content[k] for k in accepted} == accepted
    connect.api("PATCH", f"v1/content/{guid}", {"read_timeout": None, "title": "abc"})
    assert connect.api("GET", f"v1/content/{guid}")["read_timeout"] is None


def test_one_refused_field_changes_nothing(connect: ConnectLocal, guid: str) -> None:
    body = {"title": "A fine new title", "description": "new", "max_processes": 99}
    assert refused(connect, guid, body)[:2] == (400, 113)
    assert connect.api("GET", f"v1/content/{guid}")["title"] == "Policy"


@pytest.mark.parametrize("name", ["CONNECT_SERVER", "RSTUDIO_PRODUCT", "POSIT_PRODUCT"])
def test_connects_own_variable_names_are_108(connect: ConnectLocal, guid: str, name: str) -> None:
    body = [{"name": "FINE", "value": "1"}, {"name": name, "value": "x"}]
    for method in ("PATCH", "PUT"):
        status, error = connect.request(method, f"__api__/v1/content/{guid}/environment", body)
        assert (status, error["code"]) == (409, 108) and name in error["error"]
    assert connect.api("GET", f"v1/content/{guid}/environment") == []


def test_null_value_deletes_one_variable(connect: ConnectLocal, guid: str) -> None:
    path = f"v1/content/{guid}/environment"
    connect.api("PATCH", path, [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    assert connect.api("PATCH", path, [{"name": "A", "value": None}]) == ["B"]
    assert connect.api("PUT", path, []) == []


def test_inconsistent_policy_flags_do_not_start() -> None:
    for flags, message in [
        (
            ["--most-permissive-access-type", "acl", "--default-access-type", "logged_in"],
            "more permissive than",
        ),
        (["--max-processes-limit", "2", "--default-max-processes", "3"], "is above"),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "scripts.connect_local", "--port", "0", *flags],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2 and message in result.stderr, result.stderr
