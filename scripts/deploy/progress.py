"""What a deploy shows: one line per app per step; rsconnect's output in a log file.

rsconnect's full output goes to ``build/deploy-logs/<app>.log`` (and on screen
with ``VERBOSE=1``); the screen gets ``[app] step`` lines. The key never shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from scripts.catalog import REPO_ROOT
from scripts.deploy.target import Target

LOGS_DIR = REPO_ROOT / "build" / "deploy-logs"


class Progress:
    """Live, line-at-a-time output shared by the worker threads."""

    def __init__(self, target: Target | None, logs_dir: Path = LOGS_DIR, verbose: bool = False):
        self._lock = threading.Lock()
        self._target = target
        self.logs_dir = logs_dir
        self.verbose = verbose

    def _redact(self, text: str) -> str:
        return self._target.redact(text) if self._target else text

    def __call__(self, app: str, message: str) -> None:
        with self._lock:
            print(f"[{app}] {self._redact(message)}", flush=True)

    def for_app(self, app: str) -> Callable[[str], None]:
        return lambda message: self(app, message)

    def log_path(self, app: str) -> Path:
        return self.logs_dir / f"{app}.log"

    def tool_output(self, app: str) -> Callable[[str], None]:
        """A sink for one app's rsconnect lines: its log file, and the screen if verbose."""
        path = self.log_path(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")

        def write(line: str) -> None:
            line = self._redact(line)
            with path.open("a") as log:
                log.write(line + "\n")
            if self.verbose:
                self(app, f"rsconnect: {line}")

        return write
