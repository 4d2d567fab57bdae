"""Run ``python -m scripts.preview`` as ``make preview`` / ``make preview-cleanup`` do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scripts.catalog import REPO_ROOT

TIMEOUT_S = 1800.0


def run_preview_tool(
    action: str,
    *,
    server: str,
    key: str,
    workspace: Path,
    comment: Path,
    namespace: str,
    pr: int,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``action`` (preview or cleanup) for pull request ``pr``; the key never in the output."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environ.update(CONNECT_SERVER=server, CONNECT_API_KEY=key, **(env or {}))
    command = [sys.executable, "-m", "scripts.preview", action, "--pr", str(pr)]
    command += ["--workspace", str(workspace), "--comment", str(comment)]
    result = subprocess.run(
        [*command, "--namespace", namespace],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert key not in result.stdout + result.stderr, "the API key was printed"
    return result
