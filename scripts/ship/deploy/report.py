"""The outcome of a batch deploy: one row per app, a table and a JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scripts.catalog import REPO_ROOT

REPORT_PATH = REPO_ROOT / "build" / "deploy-report.json"
CREATED, UPDATED, FAILED = "created", "updated", "failed"
WOULD_CREATE, WOULD_UPDATE, PLANNED = "would create", "would update", "planned"


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

    @property
    def failed(self) -> bool:
        return self.status == FAILED


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
    data = {**meta, "apps": [asdict(r) for r in sorted(results, key=lambda r: r.app)]}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
