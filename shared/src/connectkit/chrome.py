"""Page chrome: the navbar and container every app page sits in.

Built from Dash's own html/dcc components with Bootstrap's classes (the CSS
is served by this package): importing dash-bootstrap-components would add
~60 modules to every app's start and its 222 KiB script to every first load,
for three styled elements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash import Dash, dcc, html

from connectkit.directory import visitor_display_name
from connectkit.identity import current_visitor
from connectkit.visitor import Visitor

Layout = Any  # a Dash component, or a function returning one


def navbar(app: Dash, title: str, visitor: Visitor, items: Sequence[Any] = ()) -> html.Nav:
    """The top bar: app name (linking home), optional nav items, the visitor.

    In GUID mode the visitor's name is resolved through the Connect API.
    """
    name = visitor_display_name(visitor)
    return html.Nav(
        html.Div(
            [
                dcc.Link(
                    title, href=app.get_relative_path("/"), id="app-name", className="navbar-brand"
                ),
                html.Ul(list(items), className="navbar-nav me-auto"),
                html.Span(
                    ["Signed in as ", html.Strong(name, id="visitor-name")],
                    className="navbar-text",
                ),
            ],
            className="container-fluid",
        ),
        className="navbar navbar-expand navbar-dark bg-dark mb-4",
    )


def page(
    app: Dash,
    body: Layout,
    *,
    title: str,
    nav_items: Callable[[], Sequence[Any]] | Sequence[Any] = (),
) -> Callable[[], html.Div]:
    """A layout function: built per request, so the navbar names this visitor.

    ``body`` may be a component or a zero-argument function returning one.
    """

    def layout() -> html.Div:
        content = body() if callable(body) else body
        items = nav_items() if callable(nav_items) else nav_items
        return html.Div(
            [
                navbar(app, title, current_visitor(), items),
                html.Div(content, id="page-body", className="container"),
            ]
        )

    return layout
