"""Stopping the servers our tools start: politely first, then for sure."""

from __future__ import annotations

import subprocess
from typing import Any


def stop(process: subprocess.Popen[Any], grace_s: float = 10.0) -> None:
    """SIGTERM (gunicorn drains its workers), then SIGKILL after ``grace_s``."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
