"""Usage: scaffolded by ``make new-app``.

Keep here only what is particular to this app:
``create_app`` from connectkit gives it the page chrome, local Bootstrap CSS,
compression, a health route and its title (``[tool.monorepo.deploy] title``
in pyproject.toml, the one the deploy gives Connect). Register callbacks on the app
(``@app.callback``, never the process-global ``@dash.callback``) and keep one
module-level ``app``: Connect's entrypoint ``app:app`` names it.
"""

from connectkit import create_app
from dash import Dash, Input, Output, html

DESCRIPTION = "Usage: a new Dash app"


def clicks_message(n_clicks: int | None) -> str:
    count = n_clicks or 0
    return f"Clicked {count} time{'' if count == 1 else 's'}."


def build_app() -> Dash:
    app = create_app(
        __name__,
        layout=html.Div(
            [
                html.P(DESCRIPTION, className="lead"),
                html.Button("Click me", id="clicker", className="btn btn-primary"),
                html.P(id="clicks", className="mt-3"),
            ]
        ),
    )

    @app.callback(Output("clicks", "children"), Input("clicker", "n_clicks"))
    def show_clicks(n_clicks: int | None) -> str:
        return clicks_message(n_clicks)

    return app


app = build_app()
