"""The floor for time to first data: bare Dash, one dcc.Graph, the dashboard's query.

No connectkit, no dash-bootstrap-components: Dash with its own compression,
an SQLAlchemy engine made at import, and a layout function that runs the
dashboard's first query (its summary over every region and the whole date
range: one GROUPING SETS query on the monthly rollup) and draws revenue by
month. The database is the dashboard's, named the same way
(``DATABASE_URL``, else the DuckDB file ``DASHBOARD_DUCKDB``).
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from dash import Dash, dcc

SUMMARY = sa.text(
    "SELECT month, country, product, sum(revenue) AS revenue, sum(units) AS units,"
    " sum(orders) AS orders FROM (SELECT month, country, product, revenue, units, orders"
    " FROM monthly_sales WHERE month >= :first AND month < :stop"
    " AND region IN ('EMEA', 'AMER', 'APAC')) AS rows"
    " GROUP BY GROUPING SETS ((month), (country), (country, product))"
)


DAYS = sa.text("SELECT min(day), max(day) FROM daily_sales")


def engine() -> sa.Engine:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    path = os.path.realpath(os.environ["DASHBOARD_DUCKDB"])
    return sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})


ENGINE = engine()


def layout() -> Any:
    with ENGINE.connect() as connection:
        first, last = connection.execute(DAYS).one()
        rows = connection.execute(SUMMARY, {"first": first.replace(day=1), "stop": last}).all()
    months = sorted((r.month, float(r.revenue)) for r in rows if r.month is not None)
    trace = {"type": "scatter", "mode": "lines+markers"}
    trace |= {"x": [m.strftime("%Y-%m") for m, _ in months], "y": [v for _, v in months]}
    return dcc.Graph(figure={"data": [trace], "layout": {"height": 320}})


app = Dash(__name__, compress=True)
app.layout = layout
