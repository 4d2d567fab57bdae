"""Group-gated sales dashboard: only members of allowed groups open it, and
each member sees only the regions their groups grant.

- The gate (``require_groups``) answers every route but health with a 403
  page for anyone outside ``DASHBOARD_GROUPS``: layout, callbacks and
  scripts included, not just the page.
- The scope (the visitor's regions) is worked out from the request's
  credentials on the server at callback time and goes into the SQL of every
  query as bound parameters (``sales.queries``); nothing the browser sends can
  widen it, and every filter is checked against the known values first.
- The rows live in a database (``sales.store``): an embedded DuckDB file by
  default, PostgreSQL when ``DATABASE_URL`` is set. Queries read pre-summed
  rollups, so they stay fast at ten million rows.
- The database side (SQLAlchemy, the driver, the DuckDB file when missing)
  starts in a background thread at the first request (``Backend``): the
  page's first byte does not wait for it; the browser fetches the page's
  scripts meanwhile.
- The page's first data comes with its layout (filters, KPIs, figures and
  table for the default filters): no callback round trip before the charts
  draw. Until then the page says what it is waiting for (``status_html``):
  opening the database, or building the demo data on a deploy's first start.
- Graphs draw with plotly.js's basic bundle (scatter and bar) from
  connectkit (``plotly_basic=True``) instead of the full plotly.js.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
from connectkit import (
    InputError,
    chart_row,
    create_app,
    current_visitor,
    kpi_row,
    labelled,
    require_groups,
    scope_for,
    titled_chart,
)
from dash import Dash, Input, Output, State, dcc, html, no_update
from flask import Response, has_request_context, request
from sales.filters import Choices, Filters
from sales.scope import REGIONS
from sales.settings import GROUPS_SETTING, DashboardSettings, load_settings
from sales.views import dashboard_outputs, refusal_outputs

if TYPE_CHECKING:
    from sales.queries import SalesQueries

FILTER_INPUTS = (
    ("dates", "start_date"),
    ("dates", "end_date"),
    ("product", "value"),
    ("channel", "value"),
    ("country", "value"),
)


def stopped_while_loading(error: BaseException) -> bool:
    """Whether ``error`` is the process being stopped: a signal interrupts DuckDB's
    running statement (``duckdb.InterruptException``, maybe wrapped by SQLAlchemy
    and followed by a failed clean-up), or reaches Python as an exit."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt | SystemExit):
            return True
        if type(seen).__name__ == "InterruptException" or (
            type(getattr(seen, "orig", None)).__name__ == "InterruptException"
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Backend:
    """The database side, started in a background thread once the first
    response is sent (or by the first read, whichever comes first).

    Importing SQLAlchemy and the driver costs most of a second of CPU (and a
    first start on DuckDB builds the file). Started after the first response
    (the page, or a health check), it runs while the browser loads the page's
    scripts instead of before the page's first byte; started at import, it
    would only compete with Dash's own start for the CPU. Every read waits for
    it (``queries()``); a failure is printed at once and raised to every read.
    """

    def __init__(self, settings: DashboardSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._queries: SalesQueries | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Idempotent: only the first call starts the thread."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._start, args=(self.settings,), name="backend", daemon=True
                )
                self._thread.start()

    def _start(self, settings: DashboardSettings) -> None:
        try:
            from sales.load import ensure_demo_data
            from sales.queries import SalesQueries
            from sales.store import SalesStore

            ensure_demo_data(settings.database, settings.rows)
            self._queries = SalesQueries(SalesStore(settings.database), settings.refresh_s)
        except BaseException as error:  # raised to every request, printed once now
            self._error = error
            if stopped_while_loading(error):
                # Told to stop (a redeploy activating another process, an idle
                # timeout) while building the demo data: not a fault of the app,
                # and the next start builds it again. A traceback here would read
                # as a crash in the content's log.
                print("demo data: interrupted, the process is stopping", file=sys.stderr)
            else:
                traceback.print_exc(file=sys.stderr)
        finally:
            self._ready.set()

    def ready(self) -> bool:
        return self._ready.is_set()

    def queries(self) -> SalesQueries:
        self.start()
        self._ready.wait()
        if self._queries is None:
            raise RuntimeError(f"the dashboard's database is not usable: {self._error}")
        return self._queries


def visitor_regions(settings: DashboardSettings) -> tuple[str, ...]:
    """The current visitor's regions, from the request's credentials only."""
    return scope_for(current_visitor(), settings.scope_grants).restrict(REGIONS)


def scope_text(regions: tuple[str, ...]) -> str:
    if not regions:
        return "Scope: no region"
    return "Scope: " + ("all regions" if len(regions) == len(REGIONS) else ", ".join(regions))


def status_html(backend: Backend) -> str:
    """What the page says until its layout arrives: nothing once the database is open.

    Shown above Dash's own "Loading..." (outside the part Dash renders) and
    hidden by ``assets/dashboard.css`` as soon as the dashboard is drawn.
    """
    if backend.ready():
        return ""
    database = backend.settings.database
    if database.duckdb_file is not None and not database.duckdb_file.exists():
        text = (
            f"First start: building the demo sales data "
            f"({backend.settings.rows:,} order lines) into {database.duckdb_file.parent.name}/. "
            f"This takes a few seconds, once; the dashboard appears here when it is ready."
        )
    else:
        text = "Opening the sales database..."
    return f'<div id="data-status" role="status" class="alert alert-info m-3">{text}</div>'


def filters(choices: Choices) -> dbc.Row:
    """Dates, three dropdowns and the export: two per row from 800 px, one row from 1200 px."""

    def dropdown(id_: str, label: str, options: tuple[str, ...]) -> html.Div:
        control = dcc.Dropdown(id=id_, options=list(options), multi=True, placeholder="All")
        return labelled(id_, label, control, xs=12, md=6, xl=2)

    first, last = (d.isoformat() if d else None for d in (choices.first_day, choices.last_day))
    dates = dcc.DatePickerRange(
        id="dates",
        min_date_allowed=first,
        max_date_allowed=last,
        start_date=first,
        end_date=last,
        display_format="YYYY-MM-DD",
    )
    export = html.Div(
        [
            dbc.Button("Download CSV", id="download-button", color="primary", outline=True),
            dcc.Download(id="download"),
            html.Div(id="export-note", className="form-text"),
        ]
    )
    return dbc.Row(
        [
            labelled("dates", "Dates", dates, xs=12, md=6, xl=4),
            dropdown("product", "Product", choices.products),
            dropdown("channel", "Channel", choices.channels),
            dropdown("country", "Country", choices.countries),
            labelled("download-button", "Export", export, xs=12, md=6, xl=2),
        ],
        className="mb-4 g-3",
    )


def wants_data(regions: tuple[str, ...]) -> bool:
    """Whether this layout call is the page asking for its layout.

    Dash also builds the layout at its first request, whatever it is (the
    index), only to check its component ids: that call gets the same
    components without the database's data, so the page's first byte does
    not wait for the database to start.
    """
    return bool(regions) and has_request_context() and request.path.endswith("_dash-layout")


def first_data(
    regions: tuple[str, ...], backend: Backend
) -> tuple[Choices, tuple[Any, ...] | None]:
    """The scope's choices and the update callback's outputs for the default filters."""
    if not wants_data(regions):
        return Choices(), None
    queries = backend.queries()
    choices = queries.choices(regions)
    everything = Filters.checked(choices, None, None, None, None, None)
    return choices, dashboard_outputs(queries.summary(regions, everything))


def dashboard(settings: DashboardSettings, backend: Backend) -> html.Div:
    """The page body for the current visitor, drawn with its first data.

    Filters offer only what their scope holds; the KPIs, figures and table
    hold what the update callback would answer for the default filters, so
    the page needs no callback before its charts draw.
    """
    regions = visitor_regions(settings)
    choices, outputs = first_data(regions, backend)
    revenue, units, orders, over_time, by_country, table = outputs or ("", "", "", None, None, None)
    notice = (
        []
        if regions
        else [dbc.Alert("Your groups grant no region: ask for a scope.", color="warning")]
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Sales", className="me-3 mb-0"),
                    dbc.Badge(
                        scope_text(regions),
                        id="scope",
                        color="info",
                        text_color="dark",
                        className="fs-6",
                    ),
                ],
                className="d-flex align-items-center mb-3",
            ),
            *notice,
            filters(choices),
            kpi_row(
                [
                    ("Revenue", "kpi-revenue", revenue),
                    ("Units", "kpi-units", units),
                    ("Orders", "kpi-orders", orders),
                ]
            ),
            chart_row(
                titled_chart("Revenue by month", "revenue-over-time", over_time),
                titled_chart("Revenue by country", "revenue-by-country", by_country),
            ),
            html.H2("Top sellers", className="h5"),
            html.Div(table, id="top-table"),
        ]
    )


def build_app(environ: Mapping[str, str] = os.environ) -> Dash:
    settings = load_settings(environ)
    backend = Backend(settings)
    app = create_app(__name__, layout=lambda: dashboard(settings, backend), plotly_basic=True)

    def start_backend_once_sent(response: Response) -> Response:
        response.call_on_close(backend.start)  # after the first byte, not before
        return response

    app.server.after_request(start_backend_once_sent)

    def interpolate_index(**parts: str) -> str:
        parts["app_entry"] = status_html(backend) + parts["app_entry"]
        return Dash.interpolate_index(app, **parts)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]

    require_groups(app, settings.allowed_groups, setting=GROUPS_SETTING)

    def checked(*values: Any) -> tuple[tuple[str, ...], Filters]:
        # The scope comes from this request's credentials, never from the inputs.
        regions = visitor_regions(settings)
        return regions, Filters.checked(backend.queries().choices(regions), *values)

    @app.callback(
        Output("kpi-revenue", "children"),
        Output("kpi-units", "children"),
        Output("kpi-orders", "children"),
        Output("revenue-over-time", "figure"),
        Output("revenue-by-country", "figure"),
        Output("top-table", "children"),
        *(Input(id_, prop) for id_, prop in FILTER_INPUTS),
        prevent_initial_call=True,  # the layout holds the first answer
    )
    def update(*values: Any) -> tuple[Any, ...]:
        try:
            return dashboard_outputs(backend.queries().summary(*checked(*values)))
        except InputError as problem:  # a forged request: said on the page, nothing read
            return refusal_outputs(str(problem))

    @app.callback(
        Output("download", "data"),
        Output("export-note", "children"),
        Input("download-button", "n_clicks"),
        *(State(id_, prop) for id_, prop in FILTER_INPUTS),
        prevent_initial_call=True,
    )
    def download(_clicks: Any, *values: Any) -> tuple[Any, str]:
        try:
            regions, chosen = checked(*values)
        except InputError as problem:
            return no_update, str(problem)
        export = backend.queries().export(regions, chosen)
        name = f"sales-{'-'.join(regions) or 'none'}-{date.today().isoformat()}.csv"
        return {"content": export.csv_text, "filename": name, "type": "text/csv"}, export.note()

    return app


app = build_app()
server = app.server  # the WSGI callable, for gunicorn run by hand
