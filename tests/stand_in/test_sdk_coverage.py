"""Every call posit-sdk 0.17 can make is in the fidelity table, and the stand-in
answers each as the table says: served (anything but Connect's 404 code 2) or
refused (exactly that)."""

from __future__ import annotations

import importlib.metadata
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, running_connect_local
from scripts.connect_local.sdk_coverage import (
    SDK_CALLS,
    SDK_VERSION,
    VERDICTS,
    SdkCall,
    fidelity_rows,
    paths_in_sdk,
    sdk_source,
    uncovered,
)
from tests.stand_in.conftest import KEYED_USERS, ROOT

README = REPO_ROOT / "scripts" / "connect_local" / "README.md"
TABLE = re.compile(r"<!-- sdk-calls:start -->\n(.*?)<!-- sdk-calls:end -->", re.DOTALL)
# Rows the route check can ask over the API (the content URL is not under /__api__,
# and the instrumentation rows are the usage work's).
ASKED = [c for c in SDK_CALLS if not c.path.startswith("../")]


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("sdk-coverage") / "state"
    with running_connect_local(state, users=KEYED_USERS) as server:
        yield server


def test_the_installed_posit_sdk_is_the_one_the_table_lists() -> None:
    version = importlib.metadata.version("posit-sdk")
    assert version.startswith(f"{SDK_VERSION}."), (
        f"posit-sdk {version} is installed but scripts/connect_local/sdk_coverage.py lists "
        f"{SDK_VERSION}'s calls: review SDK_CALLS against the new source, then SDK_VERSION"
    )


def test_every_api_path_in_posit_sdks_source_has_a_row() -> None:
    found = paths_in_sdk(sdk_source())
    assert len(found) > 40, f"the source scan found too little to be right: {sorted(found)}"
    assert uncovered(found) == [], "posit-sdk calls these, and no row of SDK_CALLS says how"


def test_a_call_the_table_lacks_is_caught() -> None:
    assert uncovered({"v1/content/{}/brand-new", "{}/brand-new", "v1/users/{}"}) == [
        "v1/content/{}/brand-new",
        "{}/brand-new",
    ]


@pytest.mark.parametrize("call", SDK_CALLS, ids=lambda c: f"{c.method} {c.path}")
def test_each_row_has_a_verdict_and_a_test_that_exists(call: SdkCall) -> None:
    assert call.verdict in VERDICTS
    module, _, name = call.test.partition("::")
    source = (REPO_ROOT / module).read_text()
    assert not name or f"def {name}(" in source, f"{call.test} does not exist"
    assert call.verdict == "same" or call.note, "a different or refused row says why"


def test_the_readme_shows_the_table() -> None:
    shown = TABLE.search(README.read_text())
    assert shown is not None, f"{README} lacks the sdk-calls markers"
    assert shown.group(1) == fidelity_rows(), (
        "the README's table of posit-sdk's calls is stale: paste "
        "scripts.connect_local.sdk_coverage.fidelity_rows() between its markers"
    )


def _concrete(path: str) -> str:
    """The path with a well-formed id in each placeholder (no such object exists)."""
    filled = {"{id}": "1", "{key}": "no-such-job"}
    return re.sub(r"\{[^}]*\}", lambda m: filled.get(m.group(), str(uuid.uuid4())), path)


@pytest.mark.parametrize("call", ASKED, ids=lambda c: f"{c.method} {c.path}")
def test_each_call_is_served_or_refused_as_the_table_says(
    connect: ConnectLocal, call: SdkCall
) -> None:
    body: dict[str, Any] | None = {} if call.method in ("POST", "PUT", "PATCH", "DELETE") else None
    status, answer = connect.request(call.method, f"__api__/{_concrete(call.path)}", body, key=ROOT)
    code = answer.get("code") if isinstance(answer, dict) else None
    if call.verdict == "refused":
        assert (status, code) == (404, 2), answer
    else:
        assert status != 405 and code != 2, f"{call.method} {call.path} is not served: {answer}"


def test_calls_newer_than_the_claimed_version_are_not_there(tmp_path: Path) -> None:
    with running_connect_local(tmp_path / "state", version="2024.08.0") as old:
        guid = old.api("POST", "v1/content", {"name": "old-server"})["guid"]
        for path in ("v1/packages", f"v1/content/{guid}/packages", f"v1/content/{guid}/lockfile"):
            status, answer = old.request("GET", f"__api__/{path}")
            assert (status, answer["code"]) == (404, 2), path
