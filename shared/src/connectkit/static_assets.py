"""Serve the package's own CSS (and plotly.js's basic bundle) from the app: no CDN.

Connect servers are often offline or air-gapped: ``dbc.themes.BOOTSTRAP`` is a
CDN URL and leaves such an app unstyled. The files ship inside this package
(and so inside every bundle that vendors it).

Apps that draw only scatter, bar and pie charts also get plotly.js's basic
bundle from here (``serve_plotly_basic``), so no app keeps its own copy.

Bootstrap 5.3.8 comes twice: whole (MIT licence, header kept), for apps whose
dash-bootstrap-components render any Bootstrap class, and as the subset the
chrome and the apps use (``scripts/css/bootstrap_subset.py`` writes it; a
unit test fails when it is stale), a tenth of the bytes. ``connectkit.css``
follows it: Dash 4's inputs and dropdowns in Bootstrap's look. Each file is
linked with its content hash in the URL and cached for a year: a repeat visit
sends no request for it, and a changed file gets a new URL.
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
BOOTSTRAP_SUBSET_CSS = "bootstrap-subset.min.css"  # generated from it: see the docstring
DASH_THEME_CSS = "connectkit.css"  # Dash 4's inputs and dropdowns styled as Bootstrap's
# plotly.js's basic bundle (scatter, bar, pie; MIT licence, header kept, LICENSE beside
# it): written by `make plotly-bundle` (scripts/perf/plotly_bundle.py).
PLOTLY_BASIC_JS = "plotly-basic.min.js"
SERVED = frozenset({BOOTSTRAP_CSS, BOOTSTRAP_SUBSET_CSS, DASH_THEME_CSS, PLOTLY_BASIC_JS})
_ONE_YEAR = 365 * 24 * 3600


@cache
def _content(filename: str) -> bytes:
    return resources.files("connectkit.static").joinpath(filename).read_bytes()


@cache
def fingerprint(filename: str) -> str:
    return hashlib.sha256(_content(filename)).hexdigest()[:12]


def _send_static(filename: str) -> flask.Response:
    if filename not in SERVED:
        flask.abort(404)
    mimetype = "text/javascript" if filename.endswith(".js") else "text/css"
    response = flask.Response(_content(filename), mimetype=mimetype)
    # The URL carries a content hash, so the file can be cached for good.
    response.cache_control.public = True
    response.cache_control.max_age = _ONE_YEAR
    response.cache_control.immutable = True
    return response


def serve_stylesheet(app: Dash, *, full_bootstrap: bool) -> None:
    """Add the route for the packaged CSS; link Bootstrap (subset or whole), then the theme."""
    app.server.add_url_rule(ROUTE, "connectkit_static", _send_static)
    bootstrap = BOOTSTRAP_CSS if full_bootstrap else BOOTSTRAP_SUBSET_CSS
    hrefs = [
        app.get_relative_path(f"/{_URL_PATH}{name}") + f"?v={fingerprint(name)}"
        for name in (bootstrap, DASH_THEME_CSS)  # in link order: the theme overrides
    ]
    app.config.external_stylesheets = [*hrefs, *app.config.external_stylesheets]


def serve_plotly_basic(app: Dash) -> None:
    """Link plotly.js's basic bundle before Dash's own scripts: it defines
    ``window.Plotly`` before any graph renders, so ``dcc.Graph`` never loads the
    full plotly.js (about 390 KiB on the wire instead of 1,430). For apps that
    draw only scatter, bar and pie traces (call after ``serve_stylesheet``)."""
    src = app.get_relative_path(f"/{_URL_PATH}{PLOTLY_BASIC_JS}")
    app.config.external_scripts = [
        f"{src}?v={fingerprint(PLOTLY_BASIC_JS)}",
        *app.config.external_scripts,
    ]
