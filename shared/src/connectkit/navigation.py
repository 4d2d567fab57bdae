"""Navbar links for a Dash Pages app, with the visitor's current page marked.

Attach it through the factory: ``create_app(..., use_pages=True, nav=page_navigation)``.
Links come from Dash's page registry (``page["relative_path"]`` carries the
URL prefix, so they work under Connect's ``/content/<GUID>/`` and at ``/``);
the current page is found on the server from ``app.strip_relative_path``,
matching path templates (``/reports/<report_id>``) the way Dash's router does.
A page registered with ``nav=False`` is left out, and so is the 404 page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dash import ALL, Dash, Input, Output, ctx, dcc, html, page_registry
from dash.exceptions import UnsupportedRelativePath

NAV_LINK_TYPE = "connectkit-nav-link"  # pattern-matching id type of each navbar link
LOCATION_ID = "connectkit-nav-location"
NOT_FOUND_MODULE = "not_found_404"  # the module name Dash Pages uses for its 404 page

NavItems = Callable[[], Sequence[Any]]


@dataclass(frozen=True)
class NavEntry:
    """One navbar link: its label, its URL (prefix included) and what it matches.

    ``pattern`` is the page's path template when it has one, else its path:
    the stripped path of any URL that shows this page matches it.
    """

    label: str
    href: str
    pattern: str


def nav_entries(registry: Mapping[str, Mapping[str, Any]]) -> list[NavEntry]:
    """The navbar's entries, in the registry's (page ``order``) order."""
    return [
        NavEntry(
            label=str(page["name"]),
            href=str(page["relative_path"]),
            pattern=str(page.get("path_template") or page["path"]),
        )
        for module, page in registry.items()
        if module.split(".")[-1] != NOT_FOUND_MODULE and page.get("nav", True)
    ]


def pattern_matches(pattern: str, stripped_path: str) -> bool:
    """Whether a stripped path (``"reports/7"``, ``""`` for home) shows ``pattern``'s page.

    A ``<variable>`` matches what Dash's router lets it match (any text, as
    fnmatch's ``*``), so the mark agrees with the page Dash renders.
    """
    parts = re.split(r"<[^>]*>", pattern.strip("/"))
    regex = ".*".join(re.escape(part) for part in parts)
    return re.fullmatch(regex, stripped_path) is not None


def current_pattern(patterns: Iterable[str], stripped_path: str | None) -> str | None:
    """The first pattern that matches, as Dash picks the first matching page; else None."""
    if stripped_path is None:
        return None
    return next((p for p in patterns if pattern_matches(p, stripped_path)), None)


LINK_CLASS = "nav-link"
CURRENT_LINK_CLASS = "nav-link active"  # Bootstrap's mark for the current page


def nav_links(entries: Iterable[NavEntry]) -> list[html.Li]:
    """One navbar link per entry; none is marked until the location callback runs.

    ``dcc.Link`` navigates client-side (no reload), as Dash Pages expects.
    """
    return [
        html.Li(
            dcc.Link(
                entry.label,
                href=entry.href,
                className=LINK_CLASS,
                id={"type": NAV_LINK_TYPE, "pattern": entry.pattern},
            ),
            className="nav-item",
        )
        for entry in entries
    ]


def strip_prefix(app: Dash, pathname: object) -> str | None:
    """``app.strip_relative_path``, or None for a path outside the app's prefix.

    Dash raises for such a path; a browser shows one when it reached the app
    through a URL Dash was not told about (for example a Connect vanity URL).
    Anything but a string (a forged callback input: a number, a list) is no
    path at all, so outside too.
    """
    if not isinstance(pathname, str):  # Dash returns None for None; it raises for a list
        return None
    try:
        return app.strip_relative_path(pathname)
    except UnsupportedRelativePath:
        return None


def page_navigation(app: Dash) -> NavItems:
    """Mark the current page's link on every navigation; return the navbar items.

    The items are built per layout call from Dash's page registry, which is
    filled while the app is built (it is process-wide: one app per process).
    """

    @app.callback(
        Output({"type": NAV_LINK_TYPE, "pattern": ALL}, "className"),
        Input(LOCATION_ID, "pathname"),
    )
    def mark_current_page(pathname: str | None) -> list[str]:
        patterns = [output["id"]["pattern"] for output in ctx.outputs_list]
        current = current_pattern(patterns, strip_prefix(app, pathname))
        return [CURRENT_LINK_CLASS if p == current else LINK_CLASS for p in patterns]

    def items() -> list[Any]:
        return [dcc.Location(id=LOCATION_ID, refresh=False), *nav_links(nav_entries(page_registry))]

    return items


PAGES_ROUTER_OUTPUT = "_pages_content.children"  # in the key of Dash Pages' router callback


def guard_page_router(app: Dash) -> None:
    """Refuse (400, one sentence) a router callback whose location Dash cannot route.

    Dash Pages' own router callback (``dash.Dash._setup_routing``'s ``update``,
    Dash 4.4) takes the browser's ``pathname`` and ``search`` as they come: a
    number, a list or null there is a TypeError inside Dash, and a path
    outside the app's prefix an UnsupportedRelativePath: a 500 and a
    traceback. A browser sends text under the prefix, unless it reached the
    app by an address Dash was not told about (a vanity URL).
    """
    import flask

    def check_location() -> flask.Response | None:
        request = flask.request
        if request.method != "POST" or not request.path.endswith("_dash-update-component"):
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or PAGES_ROUTER_OUTPUT not in str(body.get("output")):
            return None
        inputs = body.get("inputs")
        # Dash hands the router its inputs by position: pathname, then search.
        location = [
            item.get("value") if isinstance(item, dict) else None
            for item in (inputs[:2] if isinstance(inputs, list) else [])
        ]
        texts = len(location) == 2 and all(isinstance(value, str) for value in location)
        if texts and strip_prefix(app, location[0]) is not None:
            return None
        sentence = "The page address must be text under this app's address; nothing was run."
        return flask.Response(sentence, status=400, mimetype="text/plain")

    app.server.before_request(check_location)
