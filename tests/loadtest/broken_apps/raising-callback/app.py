"""Broken on purpose: hello's page, but its callback raises (the server answers 500)."""

from connectkit import create_app
from dash import Input, Output, dcc, html

app = create_app(
    __name__,
    layout=html.Div(
        [
            html.H1("Hello, Connect"),
            dcc.Input(id="name", type="text"),
            html.P(id="greeting"),
        ]
    ),
)


@app.callback(Output("greeting", "children"), Input("name", "value"))
def greet(name: str | None) -> str:
    raise RuntimeError("deliberate failure under load")
