"""Broken on purpose: hello's page, but its callback fails, as ``BROKEN_HOW`` says:

- ``raise``: it raises (the server answers 500);
- ``error-card``: it answers 200 with an error card in place of the greeting
  (the failure a status check alone would miss).
"""

import os

from connectkit import create_app
from dash import Input, Output, dcc, html

app = create_app(
    __name__,
    layout=html.Div([html.H1("Hello, Connect"), dcc.Input(id="name"), html.P(id="greeting")]),
)


@app.callback(Output("greeting", "children"), Input("name", "value"))
def greet(name: str | None) -> html.Div:
    if os.environ["BROKEN_HOW"] == "raise":
        raise RuntimeError("deliberate failure under load")
    return html.Div("Something went wrong: the database is down", className="alert alert-danger")
