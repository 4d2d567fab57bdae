"""The page, and what it shows for each outcome of a job."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from reports.forecast import HORIZONS, PATH_COUNTS, STEPS
from reports.history import PRODUCT_LINES

ALERT_OF_STATUS = {
    "cancelled": (
        "alert alert-secondary",
        "Cancelled: the job was stopped. Start it again when you like.",
    ),
    "lost": ("alert alert-warning", "The job was lost ({reason}). Start it again."),
    "refused": ("alert alert-danger", "Not built: {reason}."),
    "invalid": ("alert alert-danger", "Not built. {reason}"),
    "empty": ("alert alert-info", "Nothing to build: {reason}."),
}


def _choices(id_: str, label: str, options: list[Any], value: Any, kind: Any) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_, className="form-label d-block"),
            kind(id=id_, options=options, value=value, inline=True),
        ],
        className="mb-3",
    )


def page(regions: tuple[str, ...]) -> html.Div:
    """The form for a visitor whose scope is ``regions``, the progress, the result."""
    scope = ", ".join(regions) or "no region"
    return html.Div(
        [
            html.H1("Sales forecast report"),
            html.P(
                [
                    f"Scope: {scope}. ",
                    "A Monte Carlo forecast of revenue per region and "
                    "product line; it takes a while, so it runs as a background job.",
                ],
                id="scope",
                className="lead",
            ),
            _choices("regions", "Regions", list(regions), list(regions), dcc.Checklist),
            _choices(
                "lines", "Product lines", list(PRODUCT_LINES), list(PRODUCT_LINES), dcc.Checklist
            ),
            _choices("horizon", "Months ahead", list(HORIZONS), HORIZONS[1], dcc.RadioItems),
            _choices("paths", "Simulated paths", list(PATH_COUNTS), PATH_COUNTS[1], dcc.RadioItems),
            html.Div(
                [
                    html.Button("Build report", id="start", className="btn btn-primary"),
                    html.Button(
                        "Cancel", id="cancel", disabled=True, className="btn btn-outline-secondary"
                    ),
                    html.Button(
                        "Download CSV",
                        id="download-button",
                        disabled=True,
                        className="btn btn-outline-primary",
                    ),
                ],
                className="d-flex gap-2 mb-3",
            ),
            html.Progress(id="progress", value="0", max=str(STEPS), className="w-100"),
            html.Div(id="progress-label", className="form-text mb-3"),
            html.Div(id="status"),
            html.Div(id="report-table"),
            dcc.Store(id="outcome"),
            dcc.Download(id="download"),
        ]
    )


def _table(rows: list[dict[str, Any]]) -> html.Table:
    head = ["Region", "Product line", "Same months last year", "P10", "Median", "P90"]
    keys = ["region", "line", "last_year", "p10", "median", "p90"]
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody(
                [
                    html.Tr([html.Td(f"{r[k]:,}" if k not in keys[:2] else r[k]) for k in keys])
                    for r in rows
                ]
            ),
        ],
        className="table table-sm",
        id="report",
    )


def _report(outcome: dict[str, Any]) -> tuple[Any, Any, bool]:
    asked = outcome["request"]
    note = (
        f"Report ready for {outcome['visitor']}: {', '.join(asked['regions'])}, "
        f"{asked['horizon']} months ahead, {asked['paths']:,} paths. In thousands."
    )
    table = _table(outcome["rows"])
    return html.Div(note, className="alert alert-success", id="done"), table, False


def show_outcome(outcome: Any) -> tuple[Any, Any, bool]:
    """(status, table, download disabled) for the outcome a job ended with."""
    if not isinstance(outcome, dict):
        return None, None, True
    status = outcome.get("status")
    if status == "done":
        try:
            return _report(outcome)
        except (KeyError, TypeError, ValueError, AttributeError):  # a forged outcome
            status = "malformed"
    css, text = ALERT_OF_STATUS.get(str(status), ("alert alert-danger", "Unexpected outcome."))
    return (
        html.Div(text.format(reason=str(outcome.get("reason", ""))), className=css, id=str(status)),
        None,
        True,
    )


def download_of(outcome: Any) -> dict[str, str] | None:
    """The CSV download for a done outcome; None for anything else (a forged one too)."""
    if not isinstance(outcome, dict) or outcome.get("status") != "done":
        return None
    try:
        regions = "-".join(str(r) for r in outcome["request"]["regions"])
        name = f"forecast-{regions}-{int(outcome['request']['horizon'])}m.csv"
        return {"content": str(outcome["csv"]), "filename": name, "type": "text/csv"}
    except (KeyError, TypeError, ValueError):
        return None
