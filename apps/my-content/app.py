"""My content: each visitor sees their own Connect content, read with their own rights.

Connect adds ``Posit-Connect-User-Session-Token`` to every request of a
signed-in visitor to content associated with an OAuth integration.
``connectkit.VisitorClients`` trades it (with this content's own
``CONNECT_API_KEY``) for a short-lived key of the visitor and keeps the
client for the token's life; the page then lists what that key may see.
Two visitors get two different lists, and nobody sees another's private
items: Connect enforces it, not this app. The token never reaches the
browser, the page or a log line.

An anonymous visitor, a missing header, a refused or expired exchange: the
page says so in plain words (``listing.explain``), never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from connectkit import VisitorAccessError, VisitorClients, create_app
from dash import Dash, html
from listing.explain import explanation
from listing.fetch import ListingError, fetch_listing
from listing.views import listing_view, problem_view


def build_app(environ: Mapping[str, str] = os.environ) -> Dash:
    clients = VisitorClients.from_environ(environ)

    def body() -> html.Div:
        # built per request: the visitor's own session token, the visitor's own list
        try:
            content = listing_view(fetch_listing(clients.current()))
        except VisitorAccessError as problem:
            content = problem_view(*explanation(problem))
        except ListingError as problem:
            content = problem_view(str(problem) + ".", "Reload the page in a moment.")
        return html.Div([html.H1("Your content on Connect"), content])

    return create_app(__name__, layout=body, environ=environ)


app = build_app()
