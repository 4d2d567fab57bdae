"""Group-gated sales dashboard: only members of allowed groups open it, and
each member sees only the regions their groups grant.

- The gate (``require_groups``) answers every route but health with a 403
  page for anyone outside ``DASHBOARD_GROUPS``: layout, callbacks and
  scripts included, not just the page.
- The scope is worked out from the visitor on the server at callback time
  and applied inside the data access (``SalesQueries.summary``); nothing the
  browser sends can widen it.
- One callback updates every KPI, figure and the table together; queries
  run on a pre-summed cube and are cached, so they stay fast at a million rows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from connectkit import Scope, create_app, current_visitor, require_groups, scope_for
from dash import Dash, Input, Output, dcc, html
from dashboard_settings import GROUPS_SETTING, DashboardSettings, load_settings
from sales_data import CHANNELS, PRODUCTS, REGIONS, generate_sales
from sales_queries import Filters, SalesQueries, countries_in
from sales_views import dashboard_outputs

TITLE = "Sales dashboard"


def visitor_scope(settings: DashboardSettings) -> Scope:
    """The current visitor's regions, from the request's credentials only."""
    return scope_for(current_visitor(), settings.scope_grants)


def scope_text(scope: Scope) -> str:
    return "Scope: " + scope.label(REGIONS, everything="all regions")


def kpi_card(label: str, value_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody([html.Div(label, className="text-muted small"), html.H3(id=value_id)])
        ),
        md=4,
    )


def filters(queries: SalesQueries, countries: tuple[str, ...]) -> dbc.Row:
    def dropdown(id_: str, label: str, options: tuple[str, ...]) -> dbc.Col:
        return dbc.Col(
            [
                html.Label(label, htmlFor=id_, className="form-label"),
                dcc.Dropdown(id=id_, options=list(options), multi=True, placeholder="All"),
            ],
            md=2,
        )

    return dbc.Row(
        [
            dbc.Col(
                [
                    html.Label("Dates", htmlFor="dates", className="form-label d-block"),
                    dcc.DatePickerRange(
                        id="dates",
                        min_date_allowed=queries.first_day,
                        max_date_allowed=queries.last_day,
                        start_date=queries.first_day,
                        end_date=queries.last_day,
                        display_format="YYYY-MM-DD",
                    ),
                ],
                md=4,
            ),
            dropdown("product", "Product", PRODUCTS),
            dropdown("channel", "Channel", CHANNELS),
            dropdown("country", "Country", countries),
        ],
        className="mb-4 g-3",
    )


def dashboard(settings: DashboardSettings, queries: SalesQueries) -> html.Div:
    """The page body for the current visitor: filters offer only their countries."""
    scope = visitor_scope(settings)
    countries = countries_in(scope.restrict(REGIONS))
    notice = (
        []
        if countries
        else [dbc.Alert("Your groups grant no region: ask for a scope.", color="warning")]
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Sales", className="me-3 mb-0"),
                    dbc.Badge(scope_text(scope), id="scope", color="info", className="fs-6"),
                ],
                className="d-flex align-items-center mb-3",
            ),
            *notice,
            filters(queries, countries),
            dbc.Row(
                [
                    kpi_card("Revenue", "kpi-revenue"),
                    kpi_card("Units", "kpi-units"),
                    kpi_card("Orders", "kpi-orders"),
                ],
                className="mb-4 g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id="revenue-over-time"), lg=7),
                    dbc.Col(dcc.Graph(id="revenue-by-country"), lg=5),
                ],
                className="mb-4",
            ),
            html.H2("Top sellers", className="h5"),
            html.Div(id="top-table"),
        ]
    )


def build_app(environ: Mapping[str, str] = os.environ) -> Dash:
    settings = load_settings(environ)
    queries = SalesQueries(generate_sales(settings.rows))
    app = create_app(__name__, title=TITLE, layout=lambda: dashboard(settings, queries))
    require_groups(app, settings.allowed_groups, setting=GROUPS_SETTING)

    @app.callback(
        Output("kpi-revenue", "children"),
        Output("kpi-units", "children"),
        Output("kpi-orders", "children"),
        Output("revenue-over-time", "figure"),
        Output("revenue-by-country", "figure"),
        Output("top-table", "children"),
        Input("dates", "start_date"),
        Input("dates", "end_date"),
        Input("product", "value"),
        Input("channel", "value"),
        Input("country", "value"),
    )
    def update(
        start: str | None, end: str | None, products: Any, channels: Any, countries: Any
    ) -> tuple[Any, ...]:
        # The scope comes from this request's credentials, never from the inputs.
        scope = countries_in(visitor_scope(settings).restrict(REGIONS))
        chosen = Filters.from_inputs(start, end, products, channels, countries)
        return dashboard_outputs(queries.summary(scope, chosen))

    return app


app = build_app()
