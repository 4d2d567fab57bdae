"""The baseline for the dashboard benchmark: bare Flask, the same aggregation.

It takes the very request body the Dash callback takes, runs the same
scoped query on the same data and answers the numbers as JSON: what is left
between the two is what Dash and the figures cost. Served by gunicorn:
``gunicorn 'scripts.bench.dashboard_baseline:create_baseline()'``.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from typing import Any

import flask

from scripts.catalog import find_app

APP = "group-dashboard"


def create_baseline(environ: Mapping[str, str] = os.environ) -> flask.Flask:
    sys.path.insert(0, str(find_app(APP).path))
    from sales_data import REGIONS, generate_sales, rows_from_environ
    from sales_queries import Filters, SalesQueries, countries_in

    queries = SalesQueries(generate_sales(rows_from_environ(environ)))
    every_country = countries_in(REGIONS)  # the benchmark's visitor is an admin
    server = flask.Flask(__name__)

    @server.post("/aggregate")
    def aggregate() -> dict[str, Any]:
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
        return dataclasses.asdict(queries.summary(every_country, filters))

    @server.get("/health")
    def health() -> str:
        return "OK"

    return server
