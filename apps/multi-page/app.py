"""Multi-page: Dash Pages that work at ``/content/<GUID>/`` on Connect, at ``/``
locally and under any other prefix, with no configuration.

The pages live in ``pages/`` (Dash finds the folder next to this module).
Every link is built with the app's own prefix helpers: ``page["relative_path"]``
in the navbar, ``app.get_relative_path`` in page bodies; the breadcrumb above each
page is computed from ``app.strip_relative_path``, as Connect's guide asks.
"""

from connectkit import create_app, page_navigation
from dash import Dash, dcc, html, page_container
from pages._breadcrumb import show_trail, trail_container


def build_app() -> Dash:
    app = create_app(
        __name__,
        use_pages=True,
        nav=page_navigation,
        layout=html.Div(
            [
                dcc.Location(id="url", refresh=False),
                trail_container(),
                page_container,
            ]
        ),
    )

    show_trail(app, location_id="url")
    return app


app = build_app()
