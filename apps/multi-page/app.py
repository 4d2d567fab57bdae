"""Multi-page: Dash Pages that work at ``/content/<GUID>/`` on Connect, at ``/``
locally and under any other prefix, with no configuration.

The pages live in ``pages/`` (Dash finds the folder next to this module).
Every link is built with the app's own prefix helpers: ``page["relative_path"]``
in the navbar, ``app.get_relative_path`` in page bodies; the line above each
page is computed from ``app.strip_relative_path`` (through connectkit's
``strip_prefix``, which answers None outside the prefix), as Connect's guide asks.
"""

from connectkit import create_app, page_navigation, strip_prefix
from dash import Dash, Input, Output, dcc, html, page_container


def where_am_i(stripped_path: str | None) -> str:
    """The sentence for a path as ``strip_relative_path`` gives it ("" is the index)."""
    if stripped_path is None:
        return "You are outside this app's URL prefix."
    return f"You are on page {stripped_path or 'index'}"


def build_app() -> Dash:
    app = create_app(
        __name__,
        title="Multi-page",
        use_pages=True,
        nav=page_navigation,
        layout=html.Div(
            [
                dcc.Location(id="url", refresh=False),
                html.P(id="where-am-i", className="text-body-secondary small"),
                page_container,
            ]
        ),
    )

    @app.callback(Output("where-am-i", "children"), Input("url", "pathname"))
    def show_location(pathname: str | None) -> str:
        return where_am_i(strip_prefix(app, pathname))

    return app


app = build_app()
