"""The baseline for the dashboard benchmark: bare Flask, the same aggregation.

It takes the very request body the Dash callback takes, runs the same
scoped query on the same data, renders the same outputs (KPI texts, figure
dicts, table components) and serialises them with the encoder Dash uses:
what is left between the two is what Dash's request handling costs. Served by gunicorn:
``gunicorn 'scripts.perf.bench.dashboard_baseline:create_baseline()'``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import flask
from plotly.io.json import to_json_plotly

from scripts.catalog import find_app

APP = "group-dashboard"


def create_baseline(environ: Mapping[str, str] = os.environ) -> flask.Flask:
    sys.path.insert(0, str(find_app(APP).path))
    # The app's own modules, importable once its folder is on sys.path (as on
    # Connect); mypy checks them with the app (scripts/checks/typecheck.py).
    from sales_data import (  # type: ignore[import-not-found]
        REGIONS,
        generate_sales,
        rows_from_environ,
    )
    from sales_queries import Filters, SalesQueries, countries_in  # type: ignore[import-not-found]
    from sales_views import dashboard_outputs  # type: ignore[import-not-found]

    queries = SalesQueries(generate_sales(rows_from_environ(environ)))
    every_country = countries_in(REGIONS)  # the benchmark's visitor is an admin
    server = flask.Flask(__name__)

    @server.post("/aggregate")
    def aggregate() -> flask.Response:
        values = {
            f"{i['id']}.{i['property']}": i.get("value") for i in flask.request.get_json()["inputs"]
        }
        filters = Filters.from_inputs(
            values["dates.start_date"],
            values["dates.end_date"],
            values["product.value"],
            values["channel.value"],
            values["country.value"],
        )
        outputs = dashboard_outputs(queries.summary(every_country, filters))
        return flask.Response(to_json_plotly(outputs), mimetype="application/json")

    @server.get("/health")
    def health() -> str:
        return "OK"

    return server
