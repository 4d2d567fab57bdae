"""Connect's tasks: a growing log that clients read incrementally.

``GET v1/tasks/{id}?first=N&wait=S`` returns the lines from N on, waiting up
to S seconds for new output or the end; ``last`` is where to continue.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

MAX_WAIT_S = 10.0


class Task:
    def __init__(self, task_id: str, description: str, owner_guid: str = "") -> None:
        self.id = task_id
        self.description = description
        self.owner_guid = owner_guid  # who started it: only they and administrators read it
        self._lines: list[str] = []
        self._finished = False
        self._code = 0
        self._error = ""
        self._changed = threading.Condition()

    def log(self, line: str) -> None:
        with self._changed:
            self._lines.append(line.rstrip("\n"))
            self._changed.notify_all()

    def finish(self, code: int = 0, error: str = "") -> None:
        with self._changed:
            self._finished, self._code, self._error = True, code, error
            self._changed.notify_all()

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def code(self) -> int:
        return self._code

    def lines(self) -> list[str]:
        with self._changed:
            return list(self._lines)

    def snapshot(self, first: int = 0, wait: float = 0.0) -> dict[str, Any]:
        """The task as JSON, waiting up to ``wait`` s for lines past ``first``."""
        first = max(0, first)
        deadline = time.monotonic() + min(max(wait, 0.0), MAX_WAIT_S)
        with self._changed:
            while not self._finished and len(self._lines) <= first:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return {
                "id": self.id,
                "output": self._lines[first:],
                "result": None,
                "finished": self._finished,
                "code": self._code,
                "error": self._error,
                "last": len(self._lines),
            }


class TaskRegistry:
    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def create(self, description: str, owner_guid: str = "") -> Task:
        task = Task(secrets.token_hex(8), description, owner_guid)
        with self._lock:
            self._tasks[task.id] = task
        return task

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)
