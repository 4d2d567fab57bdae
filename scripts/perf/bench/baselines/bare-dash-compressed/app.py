"""Baseline: bare Dash (one html.Div) with Dash's own compression: the first-load floor.

The least any Dash app sends a browser; apps that do not use
dash-bootstrap-components are measured against it (issue #12).
"""

from dash import Dash, html

app = Dash(__name__, compress=True)
app.layout = html.Div("bare Dash")
