"""Broken on purpose: the callback raises, so the server answers 500."""

from connectkit import create_app
from dash import Input, Output, dcc, html

app = create_app(
    __name__,
    title="Failing callback",
    layout=html.Div([dcc.Input(id="x", value="1"), html.P(id="out")]),
)


@app.callback(Output("out", "children"), Input("x", "value"))
def divide(value: str) -> str:
    return str(int(value) / 0)
