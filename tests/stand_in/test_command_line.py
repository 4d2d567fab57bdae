"""``make connect-local`` as a newcomer meets it: messages name the make variables."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from scripts.catalog import REPO_ROOT
from tests.support.ports import assert_port_fix_named, make_on_a_busy_port


def test_a_busy_port_names_port_and_port_0(tmp_path: Path) -> None:
    port, result = make_on_a_busy_port("connect-local", f"STATE_DIR={tmp_path}", "API_KEY=dev-key")
    assert_port_fix_named(result, port, "make connect-local")


def test_a_random_key_says_how_to_choose_one(tmp_path: Path) -> None:
    process = subprocess.Popen(
        ["make", "--no-print-directory", "connect-local", "PORT=0", f"STATE_DIR={tmp_path}"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so make -> uv -> the stand-in can be stopped together
        env={k: v for k, v in os.environ.items() if k != "CONNECT_LOCAL_API_KEY"},
    )
    try:
        assert process.stdout is not None
        key_line = next((line for line in process.stdout if line.startswith("API key")), "")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert "make connect-local API_KEY=dev-key" in key_line
    assert "--api-key" not in key_line
