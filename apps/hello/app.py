"""Hello: the smallest useful Dash app on Posit Connect.

Copy this file to start a new app: build the layout, wire a callback with
``@app.callback`` (not the process-global ``@dash.callback``), and keep one
module-level ``app`` object, which is what Connect's entrypoint ``app:app``
names.
"""

from connectkit import InputError, create_app, short_text
from dash import Dash, Input, Output, dcc, html


def greeting_for(name: str | None) -> str:
    name = (name or "").strip()
    return f"Hello, {name}!" if name else "Hello! Type your name above."


def build_app() -> Dash:
    app = create_app(
        __name__,
        layout=html.Div(
            [
                html.H1("Hello, Connect"),
                html.Label("Your name", htmlFor="name", className="form-label"),
                dcc.Input(id="name", type="text", placeholder="Ada", className="form-control"),
                html.P(id="greeting", className="lead mt-3"),
            ]
        ),
    )

    @app.callback(Output("greeting", "children"), Input("name", "value"))
    def greet(name: object) -> str:
        try:  # the browser sends text or nothing; a forged request, anything
            return greeting_for(short_text(name, "Your name", max_chars=200))
        except InputError as problem:
            return str(problem)

    return app


app = build_app()
