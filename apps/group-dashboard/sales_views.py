"""What the page shows for a Summary: KPI texts, two figures, the top-N table.

Only aggregates reach the browser: a few dozen numbers per callback, never rows.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import html
from sales_queries import Summary

BAR_COLOUR = "#0d6efd"  # Bootstrap's primary blue, like the rest of the page


def _layout(title: str) -> dict[str, object]:
    """Plotly.js's own defaults (template "none"): a named template costs ~25 ms
    of validation per figure and ~8 KiB of JSON per response."""
    return {
        "template": "none",
        "title": {"text": title},
        "height": 320,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "yaxis": {"title": {"text": "revenue ($)"}, "gridcolor": "#e9ecef"},
        "colorway": [BAR_COLOUR],
    }


def money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if abs(value) >= 1e3:
        return f"${value / 1e3:,.1f}k"
    return f"${value:,.2f}"


def kpi_texts(summary: Summary) -> tuple[str, str, str]:
    return money(summary.revenue), f"{summary.units:,}", f"{summary.orders:,}"


def revenue_over_time(summary: Summary) -> go.Figure:
    return go.Figure(
        go.Scatter(x=summary.months, y=summary.revenue_by_month, mode="lines+markers"),
        layout=_layout("Revenue by month"),
    )


def revenue_by_country(summary: Summary) -> go.Figure:
    countries = [c for c, _ in summary.revenue_by_country]
    values = [v for _, v in summary.revenue_by_country]
    return go.Figure(go.Bar(x=countries, y=values), layout=_layout("Revenue by country"))


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
