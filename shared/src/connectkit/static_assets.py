"""Serve the package's own CSS from the app, so no page needs a CDN.

Connect servers are often offline or air-gapped: ``dbc.themes.BOOTSTRAP`` is a
CDN URL and leaves such an app unstyled. The files ship inside this package
(and so inside every bundle that vendors it).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import flask
from dash import Dash

ROUTE = "/_connectkit/static/<path:filename>"
_URL_PATH = "_connectkit/static/"
BOOTSTRAP_CSS = "bootstrap.min.css"  # Bootstrap 5.3.8, MIT licence (header kept)
DASH_THEME_CSS = "connectkit.css"  # Dash 4's inputs and dropdowns styled as Bootstrap's
STYLESHEETS = (BOOTSTRAP_CSS, DASH_THEME_CSS)  # in link order: the theme overrides
_ONE_YEAR = 365 * 24 * 3600


@cache
def _fingerprint(filename: str) -> str:
    data = resources.files("connectkit.static").joinpath(filename).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def _send_static(filename: str) -> flask.Response:
    if filename not in STYLESHEETS:
        flask.abort(404)
    data = resources.files("connectkit.static").joinpath(filename).read_bytes()
    response = flask.Response(data, mimetype="text/css")
    # The URL carries a content hash, so the file can be cached for good.
    response.cache_control.public = True
    response.cache_control.max_age = _ONE_YEAR
    return response


def serve_stylesheet(app: Dash) -> None:
    """Add the route for the packaged CSS and link each file from the index page."""
    app.server.add_url_rule(ROUTE, "connectkit_static", _send_static)
    hrefs = [
        app.get_relative_path(f"/{_URL_PATH}{name}") + f"?v={_fingerprint(name)}"
        for name in STYLESHEETS
    ]
    app.config.external_stylesheets = [*hrefs, *app.config.external_stylesheets]
