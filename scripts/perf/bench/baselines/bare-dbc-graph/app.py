"""Baseline: Dash + dash-bootstrap-components + one dcc.Graph, compressed: a charting
dbc app's first-load floor.

What any Bootstrap-styled app that draws one chart sends without a CDN:
dbc's JS, the same Bootstrap CSS file the apps use (through Dash's own
assets route, no connectkit code), the plotly.js Dash ships for
``dcc.Graph``, and compressed responses.
"""

from importlib import resources

import dash_bootstrap_components as dbc
from dash import Dash, dcc

# The Bootstrap CSS file, wherever the installed connectkit keeps it.
BOOTSTRAP_DIR = str(resources.files("connectkit.static"))
# connectkit keeps plotly.js's basic bundle there too: a baseline takes the CSS alone.
ONLY_CSS = r".*\.js$"
FIGURE = {"data": [{"type": "scatter", "x": [1, 2, 3], "y": [2, 1, 3]}], "layout": {}}

app = Dash(
    __name__, compress=True, serve_locally=True, assets_folder=BOOTSTRAP_DIR, assets_ignore=ONLY_CSS
)
app.layout = dbc.Container(dcc.Graph(figure=FIGURE))
