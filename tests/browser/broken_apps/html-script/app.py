"""Broken on purpose: a script URL that Dash's catch-all answers with HTML (200)."""

import os

from connectkit import create_app
from dash import html

prefix = os.environ.get("DASH_REQUESTS_PATHNAME_PREFIX", "/")
app = create_app(
    __name__,
    title="HTML for a script",
    layout=html.P("looks fine"),
    external_scripts=[f"{prefix}no-such-script.js"],
)
