"""The Dash components: the visitor's table, or the plain explanation of why not."""

from __future__ import annotations

from dash import html

from listing.fetch import Listing
from listing.rows import ContentRow

COLUMNS = ("Title", "Access", "Your role", "Last deployed")


def _row(row: ContentRow) -> html.Tr:
    title = html.A(row.title, href=row.url) if row.url else row.title
    cells = (title, row.access, row.role, row.last_deployed)
    return html.Tr([html.Td(cell) for cell in cells], className="content-row")


def listing_view(listing: Listing) -> html.Div:
    summary = (
        f"Connect lists {len(listing.rows)} item(s) for {listing.username}, read with "
        f"{listing.username}'s own rights: what you own, what is shared with you or your "
        "groups, and what every signed-in user may open."
    )
    if not listing.rows:
        return html.Div([html.P(summary, id="summary", className="lead")])
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th(name, scope="col") for name in COLUMNS])),
            html.Tbody([_row(row) for row in listing.rows]),
        ],
        id="content-table",
        className="table table-sm",
    )
    return html.Div([html.P(summary, id="summary", className="lead"), table])


def problem_view(what: str, what_to_do: str) -> html.Div:
    return html.Div(
        [html.P(what, id="problem", className="lead"), html.P(what_to_do, id="what-to-do")],
        className="alert alert-warning",
        role="status",
    )
