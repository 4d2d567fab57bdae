"""Baseline: the least a Dash app can be (one html.Div), for cold start and memory."""

from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("bare Dash")
