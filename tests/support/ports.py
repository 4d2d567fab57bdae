"""A make command started on a loopback port another process already holds."""

from __future__ import annotations

import socket
import subprocess

from scripts.catalog import REPO_ROOT


def make_on_a_busy_port(*make_args: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    """``make *make_args PORT=<port>`` while this process listens on that port."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        result = subprocess.run(
            ["make", "--no-print-directory", *make_args, f"PORT={port}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    return port, result


def assert_port_fix_named(result: subprocess.CompletedProcess[str], port: int, typed: str) -> None:
    """It failed at once, saying which port and how to retry (``PORT=`` and ``PORT=0``)."""
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"{typed} PORT={port + 1}" in result.stderr
    assert f"{typed} PORT=0 for any free port" in result.stderr
    assert "Traceback" not in result.stderr
