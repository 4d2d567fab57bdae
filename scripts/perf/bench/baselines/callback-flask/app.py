"""Baseline of the callback benchmark: bare Flask doing the callback's work.

It reads the body Dash's renderer sends, runs the same aggregation and
answers what Dash would (``{"multi": true, "response": {...}}``), serialised
with the encoder Dash uses. No Dash, no connectkit: the floor.
"""

import flask
from plotly.io.json import to_json_plotly

from scripts.perf.callback_work import OUTPUTS, aggregate

server = flask.Flask(__name__)


@server.post("/_dash-update-component")
def update() -> flask.Response:
    region = flask.request.get_json()["inputs"][0].get("value")
    summary, table = aggregate(region)
    (summary_id, summary_prop), (table_id, table_prop) = OUTPUTS
    answer = {
        "multi": True,
        "response": {summary_id: {summary_prop: summary}, table_id: {table_prop: table}},
    }
    return flask.Response(to_json_plotly(answer), mimetype="application/json")


@server.get("/")
def index() -> str:
    return "callback baseline"


@server.get("/health")
def health() -> str:
    return "OK"


class FlaskOnly:
    """What the runner serves: an object with a ``server`` (here no Dash app around it)."""

    def __init__(self, flask_app: flask.Flask) -> None:
        self.server = flask_app


app = FlaskOnly(server)
