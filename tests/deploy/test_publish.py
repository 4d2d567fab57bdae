"""The rsconnect command line: the key never on it, env vars by name, a hard timeout."""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.deploy.publish import _run_once, deploy_command
from scripts.deploy.target import Target

KEY = "k-123-secret"


def test_command_uploads_the_manifest_by_guid_and_never_carries_the_key() -> None:
    command = deploy_command(Path("/b/sales"), "guid-1", "Sales", Target("https://c", KEY))
    assert command[1:3] == ["deploy", "manifest"]  # exactly the files the manifest lists
    assert command[command.index("--app-id") + 1] == "guid-1"
    assert command[command.index("--title") + 1] == "Sales"
    assert "--environment" not in command  # set through the API before the upload
    assert command[-1] == "/b/sales/manifest.json"
    assert not any(KEY in part for part in command)


def test_output_is_redacted_and_a_hung_attempt_is_stopped() -> None:
    target = Target("https://c", KEY)
    lines: list[str] = []
    echo = [sys.executable, "-c", f"print('\\x1b[32mkey={KEY}\\x1b[0m', flush=True)"]
    status, output = _run_once(echo, {}, target, lines.append, timeout_s=60)
    assert (status, output, lines) == (0, "key=***", ["key=***"])
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    status, _ = _run_once(hang, {}, target, lines.append, timeout_s=0.5)
    assert status is None  # None: timed out and killed
