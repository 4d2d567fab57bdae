"""The trail above every page (Home / reports / 2026-q3), from ``app.strip_relative_path``.

Connect's guide asks an app to read its location with ``strip_relative_path``
(the path without the ``/content/<GUID>/`` prefix) and to build links with
``get_relative_path``: the trail does both. A crumb links only where a page is
registered at that path. Not a page itself: Dash Pages skips names starting "_".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from connectkit import strip_prefix
from dash import Dash, Input, Output, dcc, html, page_registry

TRAIL_ID = "where-am-i"
HOME = "Home"
OUTSIDE = "Outside this app's URL prefix"


def crumbs(stripped_path: str | None, page_paths: Iterable[str]) -> list[tuple[str, str | None]]:
    """(label, path to link or None) per crumb; the last one is where the visitor is.

    ``stripped_path`` is what ``strip_relative_path`` gives ("" is the index,
    None a path outside the prefix); ``page_paths`` are the registered paths.
    """
    if stripped_path is None:
        return [(OUTSIDE, None)]
    linkable = {path.strip("/") for path in page_paths}
    segments = [s for s in stripped_path.split("/") if s]
    trail: list[tuple[str, str | None]] = [(HOME, "")]
    for depth, segment in enumerate(segments, start=1):
        path = "/".join(segments[:depth])
        trail.append((unquote(segment), path if path in linkable else None))
    last_label, _ = trail[-1]
    return [*trail[:-1], (last_label, None)]


def trail(app: Dash, stripped_path: str | None) -> html.Ol:
    """Bootstrap's breadcrumb for a stripped path, with links under the app's prefix."""
    items = []
    page_paths = [str(page["path"]) for page in page_registry.values()]
    for label, path in crumbs(stripped_path, page_paths):
        if path is None:
            here: dict[str, Any] = {"aria-current": "page"}  # Dash's hints omit aria-*
            items.append(html.Li(label, className="breadcrumb-item active", **here))
        else:
            link = dcc.Link(label, href=app.get_relative_path(f"/{path}"))
            items.append(html.Li(link, className="breadcrumb-item"))
    return html.Ol(items, className="breadcrumb")


def trail_container() -> html.Nav:
    """Where the trail goes in the layout; ``show_trail`` fills it on every navigation."""
    label: dict[str, Any] = {"aria-label": "breadcrumb"}  # Dash's hints omit aria-*
    return html.Nav(id=TRAIL_ID, className="trail", **label)


def show_trail(app: Dash, location_id: str) -> None:
    @app.callback(Output(TRAIL_ID, "children"), Input(location_id, "pathname"))
    def update_trail(pathname: str | None) -> html.Ol:
        # strip_prefix is app.strip_relative_path, None outside the prefix
        return trail(app, strip_prefix(app, pathname))
