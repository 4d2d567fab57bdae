"""Broken on purpose: a script in assets/ throws, so the console shows an error."""

from connectkit import create_app
from dash import html

app = create_app(__name__, title="Console error", layout=html.P("looks fine"))
