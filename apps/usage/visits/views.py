"""What the page shows for a Usage: KPI texts, two figures, two tables, the CSV.

Figures are plain plotly.js dicts drawn with plotly.js's basic bundle (scatter
and bar), no plotly.py import, in connectkit's shared look (``CHART_LAYOUT``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from connectkit import CHART_LAYOUT, GRID_COLOUR
from dash import html

from visits.fetch import ScopedApp
from visits.summary import ANONYMOUS, Usage

Figure = dict[str, Any]
MAX_LINES = 8  # more lines than that is a tangle: the busiest apps get one each
# One colour per line (the shared look has one blue, for single-series charts).
LINE_COLOURS = [
    "#0d6efd",
    "#fd7e14",
    "#198754",
    "#d63384",
    "#6f42c1",
    "#20c997",
    "#ffc107",
    "#6c757d",
]
ROW_PX = 22


def _titles(apps: Sequence[ScopedApp]) -> dict[str, str]:
    return {a.guid: a.title for a in apps}


def visits_over_time(usage: Usage, apps: Sequence[ScopedApp]) -> Figure:
    titles = _titles(apps)
    busiest = sorted(usage.totals, key=lambda g: -usage.totals[g])[:MAX_LINES]
    axis = [d.isoformat() for d in usage.axis]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": titles.get(guid, guid),
            "x": axis,
            "y": list(usage.per_app[guid]),
        }
        for guid in busiest
        if usage.totals[guid]
    ]
    axes = {
        "xaxis": {"type": "category", "automargin": True, "nticks": 8},
        "yaxis": {
            "title": {"text": "visits"},
            "gridcolor": GRID_COLOUR,
            "rangemode": "tozero",
            "automargin": True,
        },
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.2},
        "colorway": LINE_COLOURS,
    }
    return {"data": traces, "layout": {**CHART_LAYOUT, **axes}}


def visitors_per_app(usage: Usage, apps: Sequence[ScopedApp]) -> Figure:
    titles = _titles(apps)
    shown = [g for g in usage.unique_visitors if usage.totals[g]]
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": [titles.get(g, g) for g in shown],
        "x": [usage.unique_visitors[g] for g in shown],
    }
    axes = {
        "xaxis": {"title": {"text": "unique visitors"}, "gridcolor": GRID_COLOUR, "dtick": 1},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "showlegend": False,
    }
    height = max(CHART_LAYOUT["height"], ROW_PX * len(shown) + 80)
    return {"data": [trace], "layout": {**CHART_LAYOUT, **axes, "height": height}}


def visitor_name(guid: str, names: Mapping[str, str]) -> str:
    return guid if guid == ANONYMOUS else names.get(guid, guid)


def kpi_texts(usage: Usage) -> tuple[str, str, str]:
    visitors = {v.user_guid or ANONYMOUS for v in usage.visits}
    opened = sum(1 for n in usage.totals.values() if n)
    return f"{len(usage.visits):,}", f"{len(visitors):,}", f"{opened} of {len(usage.totals)}"


def top_visitors_table(usage: Usage, names: Mapping[str, str]) -> dbc.Table | html.P:
    if not usage.top_visitors:
        return html.P("Nobody opened these apps in this window.", className="text-muted")
    rows = [
        html.Tr([html.Td(visitor_name(who, names)), html.Td(f"{n:,}"), html.Td(apps)])
        for who, n, apps in usage.top_visitors
    ]
    header = html.Thead(html.Tr([html.Th("Visitor"), html.Th("Visits"), html.Th("Apps")]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", striped=True, id="top-visitors")


def idle_list(usage: Usage, apps: Sequence[ScopedApp], days: int) -> html.Div | html.P:
    titles = _titles(apps)
    if not usage.idle:
        return html.P(f"Every app here was opened in the last {days} days.", id="idle")
    return html.Div(
        [
            html.P(f"Nobody opened these in the last {days} days:"),
            html.Ul([html.Li(titles.get(g, g)) for g in usage.idle]),
        ],
        id="idle",
    )


def csv_text(usage: Usage, apps: Sequence[ScopedApp], names: Mapping[str, str]) -> str:
    titles = _titles(apps)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "app", "content_guid", "visitor", "path"])
    for visit in usage.visits:
        writer.writerow(
            [
                visit.time.isoformat(),
                titles.get(visit.content_guid, visit.content_guid),
                visit.content_guid,
                visitor_name(visit.user_guid or ANONYMOUS, names),
                visit.path,
            ]
        )
    return out.getvalue()
