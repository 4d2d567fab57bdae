"""The baseline for the dashboard benchmark: bare Flask, the same queries.

It takes the very request body the Dash callback takes, checks the filters,
runs the same scoped queries on the same database through the same store
and cache (the app's own modules), renders the same outputs (KPI texts,
figure dicts, table components) and serialises them with the encoder Dash
uses: what is left between the two is what Dash's request handling costs.
Served by gunicorn: ``gunicorn 'scripts.perf.bench.dashboard_baseline:create_baseline()'``
with the app's settings (``DATABASE_URL`` or ``DASHBOARD_DUCKDB``, ``DASHBOARD_ROWS``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import flask
from plotly.io.json import to_json_plotly

from scripts.catalog import find_app

APP = "group-dashboard"
INPUTS = ("dates.start_date", "dates.end_date", "product.value", "channel.value", "country.value")


def create_baseline(environ: Mapping[str, str] = os.environ) -> flask.Flask:
    sys.path.insert(0, str(find_app(APP).path))
    # The app's own modules, importable once its folder is on sys.path (as on
    # Connect); mypy checks them with the app (scripts/typecheck.py).
    from sales.queries import Filters, SalesQueries  # type: ignore[import-not-found]
    from sales.scope import REGIONS  # type: ignore[import-not-found]
    from sales.settings import load_settings  # type: ignore[import-not-found]
    from sales.store import SalesStore  # type: ignore[import-not-found]
    from sales.views import dashboard_outputs  # type: ignore[import-not-found]

    settings = load_settings(environ)
    queries = SalesQueries(SalesStore(settings.database), settings.refresh_s)
    every_region = tuple(REGIONS)  # the benchmark's visitor is an admin
    server = flask.Flask(__name__)

    @server.post("/aggregate")
    def aggregate() -> flask.Response:
        values = {
            f"{i['id']}.{i['property']}": i.get("value") for i in flask.request.get_json()["inputs"]
        }
        choices = queries.choices(every_region)
        filters = Filters.checked(choices, *(values[key] for key in INPUTS))
        outputs = dashboard_outputs(queries.summary(every_region, filters))
        return flask.Response(to_json_plotly(outputs), mimetype="application/json")

    @server.get("/health")
    def health() -> str:
        return "OK"

    return server
