"""connectkit as a Dash plugin: the one place that attaches connectkit to a Dash app.

Dash 3+ loads every installed package's ``dash_hooks`` entry point and runs
its ``setup`` hooks inside every ``Dash()`` of the process
(``dash/_hooks.py``, ``HooksManager.register_setuptools``). Hooks are
process-global, and connectkit may be installed beside apps that never asked
for it (this repository's own environment builds bare Dash apps as test
baselines), so the setup hook attaches nothing unless asked:

- ``CONNECTKIT_PLUGIN=true`` in the environment switches it on for every
  ``Dash()`` the process builds: an unmodified ``app = Dash(__name__)`` gets
  the visitor (``current_visitor()``, the trust rule of ``connectkit.trust``),
  the health route, compression, and its visitor carried into background
  jobs; ``CONNECTKIT_ALLOWED_GROUPS`` (comma-separated; set but empty denies
  everyone) adds the group gate on every route and callback.
- ``create_app`` asks for it for the one ``Dash()`` it builds
  (``attaching``), with its own options, whatever the switch says.

Both go through ``attach``: one implementation. Registering the hooks is
explicit (``register``); ``connectkit.entry_point`` is the module Dash
imports, and only calls it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import flask
from dash import Dash, hooks

from connectkit.access import parse_group_list, require_groups
from connectkit.compression import enable_compression
from connectkit.directory import init_directory
from connectkit.health import HEALTH_PATH
from connectkit.identity import init_identity
from connectkit.inputs import MAX_REQUEST_BYTES, limit_request_size
from connectkit.job_identity import ATTACHED_EXTENSION, carry_visitor_into_jobs
from connectkit.navigation import guard_page_router
from connectkit.settings import SettingError, read_flag
from connectkit.static_assets import serve_stylesheet

PLUGIN_ENV = "CONNECTKIT_PLUGIN"
ALLOWED_GROUPS_ENV = "CONNECTKIT_ALLOWED_GROUPS"


@dataclass(frozen=True)
class Attachment:
    """What connectkit adds to one app, and the environment its settings come from."""

    environ: Mapping[str, str]
    # None: no gate; a tuple (even empty: nobody enters) gates every route but health
    allowed_groups: tuple[str, ...] | None = None
    # None: no stylesheet; else the chrome's Bootstrap (whole or the subset) and theme
    full_bootstrap: bool | None = None
    carry_visitor: bool = False  # register the custom_data hook for background jobs
    # A request body over this is refused with 413 before any callback runs.
    max_request_bytes: int = MAX_REQUEST_BYTES


def attachment_from_environ(environ: Mapping[str, str]) -> Attachment | None:
    """The plugin's attachment when ``CONNECTKIT_PLUGIN`` is on, else None.

    A value it cannot read is a SettingError naming it: the app does not start.
    """
    if not read_flag(environ, PLUGIN_ENV):
        return None
    groups = environ.get(ALLOWED_GROUPS_ENV)
    return Attachment(
        environ=environ,
        allowed_groups=None if groups is None else parse_group_list(groups),
        carry_visitor=True,
    )


def attach(app: Dash, attachment: Attachment) -> None:
    """Give ``app`` what ``attachment`` asks for; run before its routes exist (Dash's setup)."""
    if not isinstance(app.server, flask.Flask):
        raise SettingError(
            f"connectkit attaches to Dash's Flask server only, and this app is served by "
            f"{type(app.server).__name__}: unset {PLUGIN_ENV} for it, or use Dash's Flask backend"
        )
    app.server.extensions[ATTACHED_EXTENSION] = attachment
    if app.config.health_endpoint is None:
        app.config.health_endpoint = HEALTH_PATH  # Dash adds the route in init_app, next
    enable_compression(app.server)
    limit_request_size(app.server, attachment.max_request_bytes)
    if app.use_pages:
        guard_page_router(app)
    if attachment.full_bootstrap is not None:
        serve_stylesheet(app, full_bootstrap=attachment.full_bootstrap)
    init_identity(app.server, attachment.environ)
    init_directory(app.server, attachment.environ)
    if attachment.allowed_groups is not None:
        require_groups(app, attachment.allowed_groups, setting=ALLOWED_GROUPS_ENV)
    if attachment.carry_visitor:
        carry_visitor_into_jobs()


# Set by ``attaching`` for the Dash() being built in this thread or task only.
_requested: ContextVar[Attachment | None] = ContextVar("connectkit_attachment", default=None)


@contextmanager
def attaching(attachment: Attachment) -> Iterator[None]:
    """Attach connectkit, with ``attachment``, to the Dash app built inside this block."""
    register()
    token = _requested.set(attachment)
    try:
        yield
    finally:
        _requested.reset(token)


def _setup(app: Dash) -> None:
    attachment = _requested.get()
    if attachment is None:
        attachment = attachment_from_environ(os.environ)
    if attachment is not None:
        attach(app, attachment)


_registered = False


def register() -> None:
    """Register connectkit's setup hook with Dash, once per process."""
    global _registered
    if not _registered:
        hooks.setup()(_setup)
        _registered = True
