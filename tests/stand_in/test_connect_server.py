"""The `connect` tests' real-server path (tests/support/connect_server.py), checked
against a stand-in treated as a real server: the write guard, the clean-up, the
snapshot of what is not the run's, and not-applicable as its own outcome."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.support.real_connect import (
    RUN_PREFIX,
    OutsidePrefix,
    RealConnect,
    Snapshot,
    prefixed,
    refuse_if_taken,
)

ADMIN_KEY = "guard-admin-key"


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("guard") / "state"
    with running_connect_local(state, users=[("ada", "administrator", ADMIN_KEY)]) as server:
        yield server


@pytest.fixture
def real(stand_in: ConnectLocal) -> RealConnect:
    return RealConnect(stand_in.url, ADMIN_KEY, foreign_keys={"bob-key": "bob"})


def test_writes_outside_the_run_prefix_are_refused_before_they_are_sent(
    stand_in: ConnectLocal, real: RealConnect
) -> None:
    theirs = stand_in.api("POST", "v1/content", {"name": "production-app"})
    for method, path, body in [
        ("POST", "__api__/v1/content", {"name": "production-app-2"}),
        ("PATCH", f"__api__/v1/content/{theirs['guid']}", {"title": "Changed"}),
        ("DELETE", f"__api__/v1/content/{theirs['guid']}", None),
        ("POST", "__api__/v1/groups", {"name": "sales"}),
        ("PUT", "__api__/v1/server_settings", {}),
    ]:
        with pytest.raises(OutsidePrefix):
            real.request(method, path, body)
    assert stand_in.api("GET", f"v1/content/{theirs['guid']}")["title"] is None
    assert "production-app-2" not in [c["name"] for c in stand_in.api("GET", "v1/content")]
    mine = real.api("POST", "v1/content", {"name": prefixed("guarded")})
    real.api("PATCH", f"v1/content/{mine['guid']}", {"title": "Changed"})  # its own: allowed


def test_the_run_s_names_are_removed_and_nothing_else(
    stand_in: ConnectLocal, real: RealConnect
) -> None:
    theirs = stand_in.api("POST", "v1/content", {"name": "production-report"})
    before = Snapshot.take(real)
    real.api("POST", "v1/content", {"name": prefixed("to-remove")})
    group = real.api("POST", "v1/groups", {"name": prefixed("team")})
    user = real.api("POST", "v1/users", {"username": prefixed("visitor")})
    real.api("POST", f"v1/groups/{group['guid']}/members", {"user_guid": user["guid"]})
    real.remove_run_names()
    assert not any(real.run_names().values())
    assert stand_in.api("GET", f"v1/users/{user['guid']}")["locked"] is True  # never deleted
    assert before.changes_since(Snapshot.take(real)) == []
    stand_in.api("PATCH", f"v1/content/{theirs['guid']}", {"title": "Touched"})
    changed = before.changes_since(Snapshot.take(real))
    assert len(changed) == 1 and theirs["guid"] in changed[0] and "Touched" in changed[0]


def test_another_user_s_key_and_fault_injection_are_not_applicable(real: RealConnect) -> None:
    for call in (
        lambda: real.request("GET", "__api__/v1/user", key="bob-key"),
        lambda: real.fail_next("v1/content"),
        lambda: real.visitor_cookie("alice"),
    ):
        with pytest.raises(pytest.skip.Exception, match=r"^not applicable: "):
            call()


def test_not_applicable_is_counted_apart_and_never_as_passed(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from tests.support.real_connect import not_applicable

            def test_runs(): pass
            def test_needs_the_stand_in(): not_applicable("injects faults")
            def test_skipped(): pytest.skip("for another reason")
            """
        )
    )
    plugin = ["-p", "tests.support.connect_server", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, "-q", "-o", "addopts=", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert "1 passed" in last and "1 skipped" in last and "1 not applicable" in last, result.stdout
    assert "test_needs_the_stand_in: injects faults" in result.stdout
    assert RUN_PREFIX.startswith("ct") and len(RUN_PREFIX) == 10


def test_a_server_that_already_has_the_run_s_names_is_refused(
    stand_in: ConnectLocal, real: RealConnect
) -> None:
    refuse_if_taken(real)  # nothing of this run's yet: no refusal
    stand_in.api("POST", "v1/content", {"name": prefixed("already-there")})  # someone else's
    with pytest.raises(pytest.exit.Exception, match="already has names starting with"):
        refuse_if_taken(real)
    real.remove_run_names()
