"""Usage: who opens the team's apps, and which apps nobody opens.

Read from Connect's instrumentation API (``GET v1/instrumentation/content/visits``)
with the visitor's own rights: ``connectkit.VisitorClients`` trades the
visitor's session token (Connect adds it to each request of content
associated with the "Connect API" OAuth integration) for a short-lived key
of the visitor. Connect serves usage data to administrators and to
publishers for their own content; a viewer gets a sentence saying so. The
visits kept are those of content the visitor may see (``visits.fetch``), so
nobody sees a figure about an app they cannot open.

- The first data comes with the layout: the page arrives with its KPIs,
  figures and tables for the default filters; callbacks run only when a
  filter changes.
- Graphs draw with plotly.js's basic bundle from connectkit
  (``plotly_basic=True``), never the full plotly.js.
- Every callback input is checked by type against the choices the page
  offered (``visits.filters``); a bad one gets a sentence, never a 500.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import dash_bootstrap_components as dbc
from connectkit import (
    VisitorAccessError,
    VisitorClients,
    chart_row,
    create_app,
    kpi_row,
    labelled,
    titled_chart,
    visitor_access_advice,
)
from dash import Dash, Input, Output, State, dcc, html
from flask import has_request_context, request
from visits.fetch import UsageData, UsageRefused, read_usage
from visits.filters import PERIODS, WINDOWS, FilterError, Filters, check_filters, tag_choices
from visits.summary import Usage, summarise
from visits.views import (
    csv_text,
    idle_list,
    kpi_texts,
    top_visitors_table,
    visitors_per_app,
)
from visits.views import visits_over_time as over_time_figure

APP_NAME = "usage"
MAX_REQUEST_BYTES = 64 * 1024  # a callback body is a few KiB: larger is forged (413)
FILTER_INPUTS = (
    ("period", "value"),
    ("window", "value"),
    ("tag", "value"),
    ("owner", "value"),
    ("apps", "value"),
)


def read_for_visitor(clients: VisitorClients) -> UsageData:
    """This request's visitor's usage data (their own key: Connect decides what they read)."""
    return read_usage(clients.current(), now=datetime.now(UTC), days=max(WINDOWS))


def usage_for(data: UsageData, filters: Filters) -> Usage:
    apps = filters.scoped(data.apps)
    return summarise(
        data.visits,
        apps,
        now=datetime.now(UTC),
        days=filters.days,
        period=filters.period,
        chosen=filters.apps,
    )


def outputs(data: UsageData, filters: Filters) -> tuple[Any, ...]:
    """What the update callback answers (and the layout holds first)."""
    apps = filters.scoped(data.apps)
    usage = usage_for(data, filters)
    visits, visitors, opened = kpi_texts(usage)
    return (
        visits,
        visitors,
        opened,
        over_time_figure(usage, apps),
        visitors_per_app(usage, apps),
        top_visitors_table(usage, data.names),
        idle_list(usage, apps, filters.days),
        "",
    )


def filter_row(data: UsageData | None) -> dbc.Row:
    apps = data.apps if data else ()
    owners = sorted({a.owner for a in apps})
    return dbc.Row(
        [
            labelled(
                "period",
                "Per",
                dcc.RadioItems(id="period", options=list(PERIODS), value="day", inline=True),
                xs=6,
                md=2,
            ),
            labelled(
                "window",
                "Last",
                dcc.Dropdown(
                    id="window",
                    options=[{"label": f"{d} days", "value": d} for d in WINDOWS],
                    value=30,
                    clearable=False,
                ),
                xs=6,
                md=2,
            ),
            labelled(
                "tag",
                "Tag",
                dcc.Dropdown(id="tag", options=tag_choices(apps), placeholder="All"),
                xs=12,
                md=2,
            ),
            labelled(
                "owner",
                "Owner",
                dcc.Dropdown(id="owner", options=owners, placeholder="All"),
                xs=12,
                md=2,
            ),
            labelled(
                "apps",
                "Apps",
                dcc.Dropdown(
                    id="apps",
                    options=[{"label": a.title, "value": a.guid} for a in apps],
                    multi=True,
                    placeholder="All",
                ),
                xs=12,
                md=2,
            ),
            labelled(
                "download-button",
                "Export",
                html.Div(
                    [
                        dbc.Button(
                            "Download CSV", id="download-button", color="primary", outline=True
                        ),
                        dcc.Download(id="download"),
                    ]
                ),
                xs=12,
                md=2,
            ),
        ],
        className="mb-3 g-3",
    )


def wants_data() -> bool:
    """Whether this layout call is the page asking for its layout (not Dash's own id check
    at its first request): only then is the API read."""
    return has_request_context() and request.path.endswith("_dash-layout")


def page(clients: VisitorClients) -> html.Div:
    """The page for this request's visitor, drawn with its first data or a plain reason."""
    data: UsageData | None = None
    notice: list[Any] = []
    if wants_data():
        try:
            data = read_for_visitor(clients)
        except VisitorAccessError as problem:
            what, what_to_do = visitor_access_advice(problem, APP_NAME)
            notice = [
                dbc.Alert(
                    [html.P(what, className="mb-1"), html.P(what_to_do, className="mb-0")],
                    color="warning",
                    id="problem",
                )
            ]
        except UsageRefused as problem:
            notice = [dbc.Alert(problem.message, color="warning", id="problem")]
    first = (
        outputs(data, Filters()) if data is not None else ("", "", "", None, None, None, None, "")
    )
    visits, visitors, opened, over_time, per_app, top, idle, _ = first
    who = (
        [
            html.Span(
                f"as {data.username} ({data.role}), {len(data.apps)} apps you can see",
                className="text-muted",
            )
        ]
        if data
        else []
    )
    if data is not None and data.truncated:
        notice.append(
            dbc.Alert(
                "Only the most recent visits are counted: there are more than this page reads.",
                color="info",
            )
        )
    return html.Div(
        [
            html.Div(
                [html.H1("Who uses our apps", className="me-3 mb-0"), *who],
                className="d-flex align-items-baseline mb-3",
            ),
            *notice,
            filter_row(data),
            html.Div(id="filter-note", className="text-danger mb-2", role="status"),
            kpi_row(
                [
                    ("Visits", "kpi-visits", visits),
                    ("Visitors", "kpi-visitors", visitors),
                    ("Apps opened", "kpi-opened", opened),
                ]
            ),
            chart_row(
                titled_chart("Visits per app", "visits-over-time", over_time),
                titled_chart("Unique visitors per app", "visitors-per-app", per_app),
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [html.H2("Most active visitors", className="h5"), html.Div(top, id="top")],
                        lg=7,
                    ),
                    dbc.Col(
                        [html.H2("Not opened", className="h5"), html.Div(idle, id="idle-apps")],
                        lg=5,
                    ),
                ],
            ),
        ]
    )


def build_app(environ: Mapping[str, str] = os.environ) -> Dash:
    clients = VisitorClients.from_environ(environ)
    app = create_app(__name__, layout=lambda: page(clients), environ=environ, plotly_basic=True)
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    def checked(*values: Any) -> tuple[UsageData, Filters]:
        # the visitor's own data, read with their own key at every call: never another's
        data = read_for_visitor(clients)
        return data, check_filters(data.apps, *values)

    def problem(message: str) -> tuple[Any, ...]:
        return (
            "",
            "",
            "",
            {"data": [], "layout": {}},
            {"data": [], "layout": {}},
            None,
            None,
            message,
        )

    @app.callback(
        Output("kpi-visits", "children"),
        Output("kpi-visitors", "children"),
        Output("kpi-opened", "children"),
        Output("visits-over-time", "figure"),
        Output("visitors-per-app", "figure"),
        Output("top", "children"),
        Output("idle-apps", "children"),
        Output("filter-note", "children"),
        *(Input(id_, prop) for id_, prop in FILTER_INPUTS),
        prevent_initial_call=True,  # the layout holds the first answer
    )
    def update(*values: Any) -> tuple[Any, ...]:
        try:
            return outputs(*checked(*values))
        except FilterError as error:
            return problem(f"{error}.")
        except VisitorAccessError as error:
            return problem(" ".join(visitor_access_advice(error, APP_NAME)))
        except UsageRefused as error:
            return problem(error.message)

    @app.callback(
        Output("download", "data"),
        Output("filter-note", "children", allow_duplicate=True),
        Input("download-button", "n_clicks"),
        *(State(id_, prop) for id_, prop in FILTER_INPUTS),
        prevent_initial_call=True,
    )
    def download(_clicks: Any, *values: Any) -> tuple[Any, str]:
        try:
            data, filters = checked(*values)
        except FilterError as error:
            return None, f"{error}."
        except VisitorAccessError as error:
            return None, " ".join(visitor_access_advice(error, APP_NAME))
        except UsageRefused as error:
            return None, error.message
        text = csv_text(usage_for(data, filters), filters.scoped(data.apps), data.names)
        name = f"usage-{filters.days}d-{date.today().isoformat()}.csv"
        return {"content": text, "filename": name, "type": "text/csv"}, ""

    return app


app = build_app()
