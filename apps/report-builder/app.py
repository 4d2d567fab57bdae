"""Report builder: a long report as a Dash background job, with a progress
bar, a cancel button and a download at the end; never a request held open.

- The job runs on Dash's background-callback manager (``reports.managers``):
  embedded by default (a child process of the web process, nothing to run),
  Celery workers through Redis when ``REDIS_URL`` is set (several processes
  or hosts; ``make worker APP=report-builder`` starts one).
- The gate (``require_groups``) answers every route but health with a 403
  page outside ``REPORT_GROUPS``; inside the job, the gate and the region
  scope are applied again to the visitor carried from the request that
  started it (``connectkit.job_visitor``), never to what the browser sends.
- Every job has its own result slot: two visitors asking the same thing never
  see each other's report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from connectkit import (
    carry_visitor_into_jobs,
    create_app,
    current_visitor,
    job_visitor,
    require_groups,
    scope_for,
)
from dash import Dash, Input, Output, State
from reports.history import REGIONS
from reports.job import build_report
from reports.managers import make_manager
from reports.settings import GROUPS_SETTING, load_settings
from reports.views import download_of, page, show_outcome

POLL_MS = 500  # how often an open page asks for progress while a job runs


def build_app(environ: Mapping[str, str] = os.environ) -> tuple[Dash, Any]:
    """The Dash app, and the Celery app its worker runs (None on the embedded manager)."""
    settings = load_settings(environ)
    manager = make_manager(settings)
    carry_visitor_into_jobs()
    app = create_app(
        __name__,
        layout=lambda: page(scope_for(current_visitor(), settings.scope_grants).restrict(REGIONS)),
        background_callback_manager=manager,
    )
    require_groups(app, settings.allowed_groups, setting=GROUPS_SETTING)

    @app.callback(
        Output("outcome", "data"),
        Input("start", "n_clicks"),
        State("regions", "value"),
        State("lines", "value"),
        State("horizon", "value"),
        State("paths", "value"),
        background=True,
        progress=[Output("progress", "value"), Output("progress-label", "children")],
        running=[
            (Output("start", "disabled"), True, False),
            (Output("cancel", "disabled"), False, True),
        ],
        cancel=[Input("cancel", "n_clicks")],
        interval=POLL_MS,
        prevent_initial_call=True,
    )
    def build(set_progress: Any, _clicks: Any, *values: Any) -> dict[str, Any]:
        return build_report(settings, job_visitor(), values, set_progress)

    @app.callback(
        Output("status", "children"),
        Output("report-table", "children"),
        Output("download-button", "disabled"),
        Input("outcome", "data"),
    )
    def show(outcome: Any) -> tuple[Any, Any, bool]:
        return show_outcome(outcome)

    @app.callback(
        Output("download", "data"),
        Input("download-button", "n_clicks"),
        State("outcome", "data"),
        prevent_initial_call=True,
    )
    def download(_clicks: Any, outcome: Any) -> dict[str, str] | None:
        return download_of(outcome)

    return app, manager.handle if settings.redis_url else None


app, celery_app = build_app()
server = app.server  # the WSGI callable, for gunicorn run by hand
