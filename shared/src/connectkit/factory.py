"""The app factory: one call gives a Dash app everything Connect needs."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash

from connectkit.chrome import Layout, page
from connectkit.directory import init_directory
from connectkit.health import HEALTH_PATH
from connectkit.identity import init_identity
from connectkit.navigation import NavItems
from connectkit.static_assets import serve_stylesheet


def create_app(
    import_name: str,
    *,
    title: str,
    layout: Layout,
    environ: Mapping[str, str] | None = None,
    nav: Callable[[Dash], NavItems] | None = None,
    **dash_kwargs: Any,
) -> Dash:
    """Build a Dash app with page chrome, local Bootstrap, compression and health.

    Do not pass ``url_base_pathname``: Connect sets the prefix through
    ``DASH_REQUESTS_PATHNAME_PREFIX`` (and ``make run`` does the same).
    ``nav`` attaches navbar items to the built app, e.g.
    ``connectkit.navigation.page_navigation`` for a Dash Pages app.
    ``environ`` (default ``os.environ``) decides whether the credentials
    header is trusted (``connectkit.trust``), whether it carries GUIDs
    (``CONNECTKIT_CREDENTIALS_USE_GUIDS``, see ``connectkit.identity``) and
    where the Connect API is. A setting it cannot use raises SettingError.
    Extra keyword arguments go to ``Dash`` (for example ``use_pages=True``).
    """
    environ = os.environ if environ is None else environ
    app = Dash(
        import_name,
        title=title,
        # keep the tab title steady while callbacks run (None is documented; the hint says str)
        update_title=None,  # type: ignore[arg-type]
        compress=True,  # br/zstd/gzip through flask-compress
        serve_locally=True,
        health_endpoint=HEALTH_PATH,
        **dash_kwargs,
    )
    serve_stylesheet(app)
    init_identity(app.server, environ)
    init_directory(app.server, environ)
    nav_items = nav(app) if nav is not None else ()
    app.layout = page(app, layout, title=title, nav_items=nav_items)
    return app
