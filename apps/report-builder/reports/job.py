"""The job itself: who asked (carried from their request), what they may see,
the forecast, and the outcome the page shows. Runs in the job's process: a
child of the web process, or a Celery worker on another host.

The gate and the scope are applied here exactly as in a callback: the
visitor comes from the request that started the job (``connectkit.job_visitor``),
never from the inputs; a forged region is dropped, not added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from connectkit import InputError, Visitor, has_required_group, scope_for

from reports.forecast import PATH_COUNTS, STEPS, ReportRequest, report_csv, run_forecast
from reports.history import REGIONS
from reports.settings import ReportSettings

Progress = Callable[[tuple[int, str]], None]


def progress_label(done: int, total: int = STEPS) -> str:
    return f"{done * 100 // total}% ({done} of {total} steps)"


def build_report(
    settings: ReportSettings, visitor: Visitor, values: tuple[Any, ...], set_progress: Progress
) -> dict[str, Any]:
    """The outcome for ``visitor`` asking ``values`` (regions, lines, horizon, paths)."""
    if not has_required_group(visitor, settings.allowed_groups):
        return {"status": "refused", "reason": "your groups may not build this report"}
    allowed = scope_for(visitor, settings.scope_grants).restrict(REGIONS)
    regions, lines, horizon, paths = values
    try:
        request = ReportRequest.checked(regions, lines, horizon, paths, allowed_regions=allowed)
    except InputError as problem:  # a forged request: said on the page, nothing computed
        return {"status": "invalid", "reason": str(problem)}
    if not request.series:
        return {"status": "empty", "reason": "pick at least one region and one product line"}
    rows = run_forecast(
        request,
        pace_s=settings.job_seconds * request.paths / PATH_COUNTS[-1],  # bigger takes longer
        on_step=lambda done, total: set_progress((done, progress_label(done, total))),
    )
    return {
        "status": "done",
        "visitor": visitor.display_name,
        "request": {
            **asdict(request),
            "regions": list(request.regions),
            "lines": list(request.lines),
        },
        "rows": [asdict(row) for row in rows],
        "csv": report_csv(rows),
    }
