"""Page chrome: the navbar and container every app page sits in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, html

from connectkit.directory import directory_for, visitor_display_name
from connectkit.identity import Visitor, current_visitor

Layout = Any  # a Dash component, or a function returning one


def navbar(app: Dash, title: str, visitor: Visitor, items: Sequence[Any] = ()) -> dbc.Navbar:
    """The top bar: app name (linking home), optional nav items, the visitor.

    In GUID mode the visitor's name is resolved through the Connect API.
    """
    name = visitor_display_name(visitor, directory_for(app))
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(title, href=app.get_relative_path("/"), id="app-name"),
                dbc.Nav(list(items), navbar=True, className="me-auto"),
                html.Span(
                    ["Signed in as ", html.Strong(name, id="visitor-name")],
                    className="navbar-text",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-4",
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
                dbc.Container(content, id="page-body", fluid=False),
            ]
        )

    return layout
