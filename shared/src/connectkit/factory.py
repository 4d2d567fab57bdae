"""The app factory: one call gives a Dash app everything Connect needs."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash

from connectkit.chrome import Layout, page
from connectkit.navigation import NavItems
from connectkit.plugin import Attachment, attaching
from connectkit.static_assets import serve_plotly_basic
from connectkit.title import title_of_module

DBC_MODULE = "dash_bootstrap_components"


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
    plotly_basic: bool = False,
    **dash_kwargs: Any,
) -> Dash:
    """Build a Dash app with page chrome, local Bootstrap, compression and health.

    Besides the chrome it attaches connectkit's Dash plugin for this app alone
    (``connectkit.plugin.attach``: identity, health, compression, the 413 cap on
    a request's body); the gate stays the app's own ``require_groups``.

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
    ``full_bootstrap`` links all of Bootstrap's CSS, not the subset the apps use
    (default: when dash-bootstrap-components is imported; its classes vary).
    ``plotly_basic`` links plotly.js's basic bundle (scatter, bar, pie) from
    connectkit, so graphs never load the full plotly.js.
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
    # connectkit's Dash plugin attaches itself inside Dash(), as it does for
    # any app with CONNECTKIT_PLUGIN on: one implementation (connectkit.plugin).
    with attaching(Attachment(environ=environ, full_bootstrap=full_bootstrap)):
        app = Dash(
            import_name,
            title=title,
            # keep the tab title steady while callbacks run (None is documented; the hint says str)
            update_title=None,  # type: ignore[arg-type]
            serve_locally=True,
            **dash_kwargs,
        )
    _one_setup_at_a_time(app)  # after Dash() registered its setup (init_app)
    if plotly_basic:
        serve_plotly_basic(app)
    nav_items = nav(app) if nav is not None else ()
    app.layout = page(app, layout, title=title, nav_items=nav_items)
    gc.freeze()
    return app
