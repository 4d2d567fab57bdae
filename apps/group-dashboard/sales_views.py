"""What the page shows for a Summary: KPI texts, two figures, the top-N table.

Only aggregates reach the browser: a few dozen numbers per callback, never rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html
from sales_queries import Summary

BAR_COLOUR = "#0d6efd"  # Bootstrap's primary blue, like the rest of the page
Figure = dict[str, Any]


@cache
def _validated(trace_type: str, title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trace's style and a layout, checked by plotly once, not on every callback.

    Building a ``go.Figure`` per callback spent ~4 ms per figure validating
    what never changes (a fifth of the latency budget); only the numbers do.
    Template "none" (plotly.js's own look): a named one adds ~8 KiB of JSON.
    """
    trace = go.Scatter(mode="lines+markers") if trace_type == "scatter" else go.Bar()
    layout = go.Layout(
        template="none",
        title={"text": title},
        height=320,
        margin={"l": 70, "r": 20, "t": 50, "b": 60},
        yaxis={"title": {"text": "revenue ($)"}, "gridcolor": "#e9ecef"},
        colorway=[BAR_COLOUR],
    )
    return trace.to_plotly_json(), layout.to_plotly_json()


def _figure(trace_type: str, title: str, x: Sequence[Any], y: Sequence[float]) -> Figure:
    trace, layout = _validated(trace_type, title)
    return {"data": [{**trace, "x": list(x), "y": list(y)}], "layout": layout}


def money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:,.1f}k"
    return f"${value:,.2f}"


def kpi_texts(summary: Summary) -> tuple[str, str, str]:
    return money(summary.revenue), f"{summary.units:,}", f"{summary.orders:,}"


def revenue_over_time(summary: Summary) -> Figure:
    return _figure("scatter", "Revenue by month", summary.months, summary.revenue_by_month)


def revenue_by_country(summary: Summary) -> Figure:
    countries = [c for c, _ in summary.revenue_by_country]
    values = [v for _, v in summary.revenue_by_country]
    return _figure("bar", "Revenue by country", countries, values)


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


def dashboard_outputs(summary: Summary) -> tuple[Any, ...]:
    """Every output of the update callback, in its order: three KPIs, two figures, the table."""
    return (
        *kpi_texts(summary),
        revenue_over_time(summary),
        revenue_by_country(summary),
        top_table(summary),
    )
