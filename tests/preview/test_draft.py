"""How ``make preview`` calls rsconnect for a draft (``upload_draft``) and reads its answer.

Three are unit tests of ``upload_draft`` with a fake ``rsconnect`` (a shell script
that records its arguments and environment and prints what it is told): the
argv it builds (``deploy manifest --draft --app-id``, no ``--title``, no ``-E``),
the key passed in the environment and never as an argument, the draft read off
the ``Draft content URL`` line, and the key hidden in an error. A real rsconnect
cannot stand in for them: its own argv and environment are not visible from
outside it, and no server makes it print its key, so only a fake can show that
the command line never holds the key and that the output is redacted.

What rsconnect and a server do with a draft is tested with the real CLI against
``connect_server`` (the stand-in, or a real Connect): here, a draft that does not
start; in test_drafts_mode.py, drafts that start, read off the real CLI's output,
with the live bundle left alone. The fake's draft that does not start (draft
line, then exit 1) is what rsconnect prints on Connect, which finishes the
deploy task and starts the app on the first request; the stand-in starts it in
the task instead, so there the task fails and no draft line is printed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.bundle.build import Bundle, build_bundle
from scripts.catalog import AppInfo
from scripts.deploy.target import Target
from scripts.preview import drafts as preview
from tests.support.connect_server import ConnectServer, ConnectServers, prefixed
from tests.support.workspace import scratch_workspace

GUID = "5d0c1e2a-0000-4000-8000-00000000000a"
CONTENT = {"guid": GUID, "name": "repo-hello", "content_url": f"https://c.example/content/{GUID}/"}
TARGET = Target(url="https://c.example", api_key="secret-key")
DRAFT_LINE = f"\t Draft content URL: https://c.example/connect/#/apps/{GUID}/draft/42"


def fake_rsconnect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, code: int) -> Path:
    """An executable that prints ``output``, records its arguments and exits ``code``."""
    script = tmp_path / "rsconnect"
    script.write_text(
        f'#!/bin/sh\necho "$@" > {tmp_path}/args\necho "$CONNECT_API_KEY" > {tmp_path}/key\n'
        f"cat <<'OUT'\n{output}\nOUT\nexit {code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(preview, "rsconnect_executable", lambda: str(script))
    return tmp_path


def bundle(tmp_path: Path) -> Bundle:
    return Bundle(AppInfo("hello", tmp_path / "apps" / "hello"), tmp_path / "bundles" / "hello")


def test_a_draft_is_read_from_the_output_and_nothing_live_is_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = fake_rsconnect(tmp_path, monkeypatch, f"Deploying bundle ...\n{DRAFT_LINE}", 0)
    draft = preview.upload_draft(bundle(tmp_path), CONTENT, TARGET, {})
    assert (draft.guid, draft.bundle_id) == (GUID, "42")
    assert draft.url == f"https://c.example/content/{GUID}/_bundle42/"
    args = (seen / "args").read_text().split()
    assert args[:2] == ["deploy", "manifest"] and "--draft" in args
    assert args[args.index("--app-id") + 1] == GUID
    assert "--title" not in args and "-E" not in args and "--environment" not in args
    assert (seen / "key").read_text().strip() == "secret-key"  # by environment, not argument
    assert "secret-key" not in " ".join(args)


def test_a_draft_that_does_not_start_is_handed_back_for_deletion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_rsconnect(tmp_path, monkeypatch, f"{DRAFT_LINE}\nCould not access the deployed content", 1)
    with pytest.raises(preview.PreviewError, match="exit 1") as failure:
        preview.upload_draft(bundle(tmp_path), CONTENT, TARGET, {})
    assert failure.value.draft is not None and failure.value.draft.bundle_id == "42"


def test_a_failed_build_names_no_draft_and_hides_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_rsconnect(tmp_path, monkeypatch, "Error: build failed for key secret-key", 1)
    with pytest.raises(preview.PreviewError) as failure:
        preview.upload_draft(bundle(tmp_path), CONTENT, TARGET, {})
    assert failure.value.draft is None
    assert "secret-key" not in str(failure.value) and "***" in str(failure.value)


# -- the real rsconnect CLI and a Connect server ---------------------------------------------

BROKEN_APP = 'raise RuntimeError("this app fails to start on purpose")\n'


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    with connect_server.start("preview-draft", api_key=TARGET.api_key) as server:
        yield server


def test_a_draft_that_does_not_start_on_the_server_fails_with_nothing_live(
    connect: ConnectServer, tmp_path: Path
) -> None:
    """An app that imports locally but not on the server (here: not at all) as a draft."""
    workspace = scratch_workspace(tmp_path / "ws", {"broken": {"app.py": BROKEN_APP}})
    app = AppInfo("broken", workspace / "apps" / "broken")
    # Unchecked: the import check would refuse it; the server is what must find it broken.
    bundle = build_bundle(app, tmp_path / "bundles", workspace=workspace, check=False)
    item = connect.api("POST", "v1/content", {"name": prefixed("draft-broken")})
    target = Target(url=connect.url, api_key=connect.api_key)
    with pytest.raises(preview.PreviewError, match="exit 1") as failure:
        preview.upload_draft(bundle, item, target, dict(os.environ))
    message = str(failure.value)
    assert connect.api_key not in message
    assert connect.api("GET", f"v1/content/{item['guid']}")["bundle_id"] is None  # nothing live
    uploaded = connect.api("GET", f"v1/content/{item['guid']}/bundles")
    assert len(uploaded) == 1 and uploaded[0]["active"] is False, uploaded
    if connect.is_stand_in:
        # The stand-in starts a draft in its deploy task, so the task fails and rsconnect
        # prints no draft line: the bundle is not handed back (scripts/connect_local/README.md).
        assert failure.value.draft is None
        assert "this app fails to start on purpose" in message, message
    else:
        # Connect finishes the task and starts the app on the first request: rsconnect
        # prints the draft, then its check of /_bundle<id>/ fails (rsconnect-python #511).
        draft = failure.value.draft
        assert draft is not None and draft.bundle_id == str(uploaded[0]["id"]), message
        assert "Could not access the deployed content" in message, message
