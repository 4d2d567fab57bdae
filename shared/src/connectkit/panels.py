"""The building blocks of a dashboard page: KPI cards, labelled filters, titled charts.

Plain Dash components with Bootstrap's classes (the same DOM as
dash-bootstrap-components' ``Row``/``Col``/``Card``, without importing it),
and the look every chart shares: ``CHART_LAYOUT`` for plotly.js figure dicts
(no plotly.py import) and ``GRAPH_CONFIG`` for ``dcc.Graph``. Chart titles
are HTML headings above the graphs, so plotly's mode bar never sits on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

# The strip at the top is the mode bar's, clear of the data.
CHART_LAYOUT: dict[str, Any] = {
    "height": 320,
    "margin": {"l": 10, "r": 10, "t": 36, "b": 40},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "colorway": ["#0d6efd"],  # Bootstrap's primary blue, like the rest of the page
    "showlegend": False,
}
GRID_COLOUR = "#e9ecef"
GRAPH_CONFIG: Any = {"displaylogo": False}


def _columns(**widths: int) -> str:
    """Bootstrap's column classes: ``xs=12, md=6`` -> ``col-12 col-md-6``."""
    return " ".join("col-" + (f"{n}" if bp == "xs" else f"{bp}-{n}") for bp, n in widths.items())


def kpi_row(cards: Sequence[tuple[str, str, str]]) -> html.Div:
    """One card per (label, value id, value), side by side from 768 px."""
    return html.Div(
        [
            html.Div(
                html.Div(
                    html.Div(
                        [html.Div(label, className="text-muted small"), html.H3(value, id=id_)],
                        className="card-body",
                    ),
                    className="card",
                ),
                className="col-md-4",
            )
            for label, id_, value in cards
        ],
        className="row mb-4 g-3",
    )


def labelled(id_: str, label: str, control: Any, **widths: int) -> html.Div:
    """A filter with its label, in a column of ``widths`` (``xs=12, md=6, xl=2``)."""
    return html.Div(
        [html.Label(label, htmlFor=id_, className="form-label d-block"), control],
        className=_columns(**widths),
    )


def titled_chart(title: str, id_: str, figure: dict[str, Any] | None) -> list[Any]:
    """A heading and its graph, drawn at once when ``figure`` is given (first data)."""
    chart = (
        dcc.Graph(id=id_, config=GRAPH_CONFIG)
        if figure is None
        else dcc.Graph(id=id_, config=GRAPH_CONFIG, figure=figure)
    )
    return [html.H2(title, className="h6 mb-1"), chart]


def chart_row(wide: list[Any], narrow: list[Any]) -> html.Div:
    """Two charts: seven twelfths and five twelfths wide from 992 px."""
    return html.Div(
        [html.Div(wide, className="col-lg-7"), html.Div(narrow, className="col-lg-5")],
        className="row mb-4 g-3",
    )
