"""Baseline: Dash + dash-bootstrap-components with compression, for first-load bytes.

The floor any Bootstrap-styled app could reach without a CDN: dbc's JS, the
same Bootstrap CSS file the apps use (served through Dash's own assets
route, no connectkit code), and compressed responses.
"""

from importlib import resources

import dash_bootstrap_components as dbc
from dash import Dash, html

# The Bootstrap CSS file, wherever the installed connectkit keeps it.
BOOTSTRAP_DIR = str(resources.files("connectkit.static"))
# connectkit keeps plotly.js's basic bundle there too: a baseline takes the CSS alone.
ONLY_CSS = r".*\.js$"

app = Dash(
    __name__, compress=True, serve_locally=True, assets_folder=BOOTSTRAP_DIR, assets_ignore=ONLY_CSS
)
app.layout = dbc.Container(html.Div("bare Dash + dbc"))
