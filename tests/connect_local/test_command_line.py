"""``make connect-local`` as a newcomer meets it: messages name the make variables."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

from scripts.catalog import REPO_ROOT


def test_a_busy_port_names_port_and_port_0(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "connect-local",
                f"PORT={port}",
                f"STATE_DIR={tmp_path}",
                "API_KEY=dev-key",
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"make connect-local PORT={port + 1}" in result.stderr
    assert "make connect-local PORT=0 for any free port" in result.stderr
    assert "Traceback" not in result.stderr


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
