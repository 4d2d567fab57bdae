"""The one HTML frame of every page the stand-in itself draws (not the apps')."""

from __future__ import annotations

import html

STYLE = (
    "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}"
    "table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
    ".warn{background:#fff3cd;padding:.5rem}</style>"
)


def render(title: str, body: str) -> str:
    """A page with ``title`` and ``body`` (already-escaped HTML), marked as a test tool."""
    return (
        # an empty icon: no /favicon.ico request, which the stand-in does not serve
        "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        f"<title>{html.escape(title)}</title>{STYLE}</head><body>"
        "<p class='warn'>connect-local: a stand-in for Posit Connect, for development and "
        "tests only. <a href='/'>Content</a> · <a href='/__login__'>Choose visitor</a></p>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
