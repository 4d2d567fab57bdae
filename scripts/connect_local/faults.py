"""Fault injection for tests: failing endpoints, slow tasks, failing builds.

Driven through ``/__faults__`` (see ``api.faults_blueprint``) or set at start.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Unavailable:
    """Answer the next ``count`` matching API calls with 503."""

    path: str  # glob over the path after /__api__/, e.g. "v1/content/*/bundles"
    method: str = "*"
    count: int = 1

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method.upper() == method.upper()
        return method_ok and fnmatch.fnmatchcase(path.strip("/"), self.path.strip("/"))


@dataclass
class Faults:
    unavailable: list[Unavailable] = field(default_factory=list)
    task_delay_s: float = 0.0  # each deploy task waits this long before it starts
    failing_builds: int = 0  # the next N builds fail
    build_failure_message: str = "build failed (injected fault)"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_unavailable(self, method: str, path: str) -> bool:
        """True (and one use consumed) when this call must answer 503."""
        with self._lock:
            for rule in self.unavailable:
                if rule.count > 0 and rule.matches(method, path):
                    rule.count -= 1
                    return True
            return False

    def add_unavailable(self, rule: Unavailable) -> None:
        with self._lock:
            self.unavailable.append(rule)

    def take_build_failure(self) -> str | None:
        with self._lock:
            if self.failing_builds <= 0:
                return None
            self.failing_builds -= 1
            return self.build_failure_message

    def clear(self) -> None:
        with self._lock:
            self.unavailable.clear()
            self.task_delay_s = 0.0
            self.failing_builds = 0

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "unavailable": [
                    {"path": r.path, "method": r.method, "count": r.count}
                    for r in self.unavailable
                    if r.count > 0
                ],
                "task_delay_s": self.task_delay_s,
                "failing_builds": self.failing_builds,
                "build_failure_message": self.build_failure_message,
            }
