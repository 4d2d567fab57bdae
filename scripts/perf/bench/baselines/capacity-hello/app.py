"""Baseline for hello's capacity: bare Dash, the same page and callback, no connectkit.

The same component ids and callback (a greeting from the typed name), so
the same recorded steps play on it; what differs is what connectkit adds
to every request (the identity, the gate hook, chrome, local CSS).
"""

from dash import Dash, Input, Output, dcc, html

app = Dash(__name__, compress=True)
app.layout = html.Div(
    [
        html.H1("Hello, Dash"),
        html.Label("Your name", htmlFor="name"),
        dcc.Input(id="name", type="text", placeholder="Ada"),
        html.P(id="greeting"),
    ]
)


@app.callback(Output("greeting", "children"), Input("name", "value"))
def greet(name: str | None) -> str:
    name = (name or "").strip()
    return f"Hello, {name}!" if name else "Hello! Type your name above."
