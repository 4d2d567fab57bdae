"""How ``make preview`` reads rsconnect's answer to ``--draft`` (a stand-in script for the CLI)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scripts.bundle.build import Bundle
from scripts.catalog import AppInfo
from scripts.deploy.target import Target
from scripts.preview import drafts as preview

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
