"""The outcome of a batch deploy: one row per app, a table, a totals line and a JSON file.

A dry run writes its own report (``deploy-report.dry-run.json``) and never
overwrites the last real one. Each row has the seconds of every step
(``steps``); ``upload`` is rsconnect's upload, server build and activation,
the rest is the tool's own time (``tool_seconds``), read by the bench.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scripts.catalog import REPO_ROOT

REPORT_PATH = REPO_ROOT / "build" / "deploy-report.json"
DRY_RUN_REPORT_PATH = REPO_ROOT / "build" / "deploy-report.dry-run.json"
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
SETTINGS_UPDATED = "settings updated"  # the same bundle, some settings written
WOULD_CREATE, WOULD_UPDATE, PLANNED = "would create", "would update", "planned"
UPLOAD_STEP = "upload"  # rsconnect: upload, the server's build, activation


@dataclass
class AppResult:
    app: str
    status: str
    content_name: str = ""
    guid: str = ""
    url: str = ""
    seconds: float = 0.0
    error: str = ""
    attempts: int = 0
    files: int = 0
    bundle_bytes: int = 0
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    @property
    def tool_seconds(self) -> float:
        """The tool's own time: everything but rsconnect's upload and the server's build."""
        return sum(s for step, s in self.steps.items() if step != UPLOAD_STEP)

    def fail(self, message: str) -> None:
        """Failed with ``message``, said once: the app's name is shown beside it already."""
        self.status, self.error = FAILED, message.removeprefix(f"{self.app}: ")

    def timed(self, step: str, seconds: float) -> None:
        self.steps[step] = round(self.steps.get(step, 0.0) + seconds, 3)


def totals_line(results: Iterable[AppResult], seconds: float) -> str:
    """``4 apps: 1 created, 2 unchanged, 1 failed; 12 files, 300 KiB; 8.1 s``."""
    results = list(results)
    counts = Counter(r.status for r in results)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    files = sum(r.files for r in results)
    kib = sum(r.bundle_bytes for r in results) / 1024
    return (
        f"{len(results)} app(s): {statuses or 'none'}; {files} files, {kib:.0f} KiB in bundles; "
        f"{seconds:.1f} s"
    )


def render_table(results: Iterable[AppResult]) -> str:
    header = ("app", "status", "guid", "content url", "seconds")
    rows = [
        (r.app, r.status, r.guid or "-", r.url or "-", f"{r.seconds:.1f}")
        for r in sorted(results, key=lambda r: r.app)
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    separator = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


def write_report(
    results: Iterable[AppResult], meta: Mapping[str, Any], path: Path = REPORT_PATH
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {**asdict(r), "tool_seconds": round(r.tool_seconds, 3)}
        for r in sorted(results, key=lambda r: r.app)
    ]
    data = {**meta, "apps": rows}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
