"""The app factory: one call gives a Dash app everything Connect needs."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash
from flask import Flask, Response
from flask_compress import Compress

from connectkit.chrome import Layout, page
from connectkit.directory import init_directory
from connectkit.health import HEALTH_PATH
from connectkit.identity import init_identity
from connectkit.navigation import NavItems
from connectkit.static_assets import serve_stylesheet
from connectkit.title import title_of_module

DBC_MODULE = "dash_bootstrap_components"
COMPRESSION = {
    # zstd, then br, then gzip: flask-compress's order (Dash's own compress=True
    # means the same, plus a package-metadata lookup at every start).
    "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
    "COMPRESS_REGISTER": False,  # registered below, behind the small-JSON rule
}
# Dash links assets/ files with ``?m=<mtime>``: a changed file gets a new URL,
# so a year-long cache is safe, and a repeat visit fetches none of them again
# (without it, compressed responses' ETags never matched: the group dashboard
# sent its 391 KiB plotly.js bundle on every visit).
ASSET_MAX_AGE_S = 365 * 24 * 3600
# A callback answer smaller than this fits in one packet as it is: compressing
# it saves no round trip and costs every callback CPU time.
MIN_COMPRESSED_JSON_BYTES = 1024


def enable_compression(server: Flask) -> None:
    """Compress what is worth it: scripts, CSS, the index, callback answers over 1 KiB."""
    for key, value in COMPRESSION.items():
        server.config.setdefault(key, value)
    compress = Compress(server)

    def compress_unless_small_json(response: Response) -> Response:
        if response.mimetype == "application/json" and (
            response.content_length is not None
            and response.content_length < MIN_COMPRESSED_JSON_BYTES
        ):
            return response
        return compress.after_request(response)

    server.after_request(compress_unless_small_json)


def _one_setup_at_a_time(app: Dash) -> None:
    """Make a request that arrives during Dash's first-request setup wait for it.

    ``Dash._setup_server`` (Dash 4.x, run before each request) marks itself done
    first and registers the component scripts after: on a threaded server a
    second request arriving meanwhile skips it and asks for a script Dash does
    not know yet, an HTTP 500 ("dash" is not a registered library) and a page
    that never draws. Seen on a busy machine, on the first page a fresh worker
    serves. The bound method Dash registered is swapped for one under a lock; a
    Dash that no longer registers it stops here, at start-up.
    """
    setup = app._setup_server
    lock = threading.Lock()

    def setup_server_once() -> None:
        with lock:
            setup()  # type: ignore[no-untyped-call]  # Dash leaves it unannotated

    hooks = app.server.before_request_funcs.setdefault(None, [])
    hooks[hooks.index(setup)] = setup_server_once


def create_app(
    import_name: str,
    *,
    layout: Layout,
    title: str | None = None,
    environ: Mapping[str, str] | None = None,
    nav: Callable[[Dash], NavItems] | None = None,
    full_bootstrap: bool | None = None,
    **dash_kwargs: Any,
) -> Dash:
    """Build a Dash app with page chrome, local Bootstrap, compression and health.

    ``title`` defaults to the app's own (``connectkit.title``: its
    ``pyproject.toml``), the one the deploy gives Connect.
    Do not pass ``url_base_pathname``: Connect sets the prefix through
    ``DASH_REQUESTS_PATHNAME_PREFIX`` (and ``make run`` does the same).
    ``nav`` attaches navbar items to the built app, e.g.
    ``connectkit.navigation.page_navigation`` for a Dash Pages app.
    ``environ`` (default ``os.environ``) decides whether the credentials
    header is trusted (``connectkit.trust``), whether it carries GUIDs
    (``CONNECTKIT_CREDENTIALS_USE_GUIDS``, see ``connectkit.identity``) and
    where the Connect API is. A setting it cannot use raises SettingError.
    ``full_bootstrap`` links all of Bootstrap's CSS instead of the subset the
    chrome and this repository's apps use; by default an app that imported
    dash-bootstrap-components gets all of it (dbc's components carry classes
    no source here names).
    Extra keyword arguments go to ``Dash`` (for example ``use_pages=True``).

    Last, it freezes the garbage collector's view of everything built so far
    (``gc.freeze``): Dash, Flask and plotly leave some 60,000 objects that
    live as long as the process, and every full collection a callback
    triggers would otherwise walk them all again.
    """
    environ = os.environ if environ is None else environ
    title = title or title_of_module(import_name)
    if full_bootstrap is None:
        full_bootstrap = DBC_MODULE in sys.modules
    app = Dash(
        import_name,
        title=title,
        # keep the tab title steady while callbacks run (None is documented; the hint says str)
        update_title=None,  # type: ignore[arg-type]
        serve_locally=True,
        health_endpoint=HEALTH_PATH,
        **dash_kwargs,
    )
    _one_setup_at_a_time(app)
    enable_compression(app.server)
    app.server.config["SEND_FILE_MAX_AGE_DEFAULT"] = ASSET_MAX_AGE_S
    serve_stylesheet(app, full_bootstrap=full_bootstrap)
    init_identity(app.server, environ)
    init_directory(app.server, environ)
    nav_items = nav(app) if nav is not None else ()
    app.layout = page(app, layout, title=title, nav_items=nav_items)
    gc.freeze()
    return app
