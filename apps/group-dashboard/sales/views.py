"""What the page shows for a Summary: KPI texts, two figures, the top-N table.

Only aggregates reach the browser: a few dozen numbers per callback, never rows.
Figures are plain plotly.js dicts (no plotly.py import: it would add to every
cold start) in connectkit's shared look (``CHART_LAYOUT``); countries go on
the y axis of a horizontal bar chart, where ``automargin`` keeps every name whole.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from connectkit import CHART_LAYOUT, GRID_COLOUR
from dash import html

from sales.filters import Summary

Figure = dict[str, Any]
ROW_PX = 20  # per country bar: a 12 px label and its gap


def money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:,.1f}k"
    return f"${value:,.2f}"


def kpi_texts(summary: Summary) -> tuple[str, str, str]:
    return money(summary.revenue), f"{summary.units:,}", f"{summary.orders:,}"


def revenue_over_time(summary: Summary) -> Figure:
    trace: dict[str, Any] = {"type": "scatter", "mode": "lines+markers"}
    trace |= {"x": list(summary.months), "y": list(summary.revenue_by_month)}
    axes = {
        "xaxis": {"type": "category", "automargin": True, "nticks": 12},
        "yaxis": {"title": {"text": "revenue ($)"}, "gridcolor": GRID_COLOUR, "automargin": True},
    }
    return {"data": [trace], "layout": {**CHART_LAYOUT, **axes}}


def revenue_by_country(summary: Summary) -> Figure:
    countries = [c for c, _ in summary.revenue_by_country]
    trace: dict[str, Any] = {"type": "bar", "orientation": "h", "y": countries}
    trace["x"] = [v for _, v in summary.revenue_by_country]
    axes = {
        "xaxis": {"title": {"text": "revenue ($)"}, "gridcolor": GRID_COLOUR, "automargin": True},
        # largest on top, every name whole
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category", "dtick": 1},
    }
    height = max(CHART_LAYOUT["height"], ROW_PX * len(countries) + 80)  # room for every label
    return {"data": [trace], "layout": {**CHART_LAYOUT, **axes, "height": height}}


def top_table(summary: Summary) -> dbc.Table:
    header = html.Thead(
        html.Tr([html.Th(h) for h in ("Country", "Product", "Revenue", "Units", "Orders")])
    )
    rows = [
        html.Tr(
            [
                html.Td(country),
                html.Td(product),
                html.Td(money(revenue)),
                html.Td(f"{units:,}"),
                html.Td(f"{orders:,}"),
            ]
        )
        for country, product, revenue, units, orders in summary.top
    ]
    if not rows:
        rows = [html.Tr(html.Td("No sales match these filters.", colSpan=5))]
    return dbc.Table([header, html.Tbody(rows)], striped=True, hover=True, size="sm")


def refusal_outputs(sentence: str) -> tuple[Any, ...]:
    """The update callback's outputs for a refused input: nothing selected, and why."""
    *nothing, _ = dashboard_outputs(Summary())
    return (*nothing, dbc.Alert(sentence, color="warning", id="input-refused"))


def dashboard_outputs(summary: Summary) -> tuple[Any, ...]:
    """Every output of the update callback, in its order: three KPIs, two figures, the table."""
    return (
        *kpi_texts(summary),
        revenue_over_time(summary),
        revenue_by_country(summary),
        top_table(summary),
    )
