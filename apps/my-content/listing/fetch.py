"""The data layer: the visitor's own view of Connect, read with their client.

The client comes from ``connectkit.VisitorClients`` (the key Connect issued
for this visitor), so ``GET v1/content`` answers with exactly what the visitor
may see: their own items, those shared with them or their groups, and content
open to all signed-in users. Never the publisher's view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectkit import VisitorAccessError

from listing.rows import ContentRow, sorted_rows


@dataclass(frozen=True)
class Listing:
    username: str  # who Connect says the key belongs to: the visitor
    rows: tuple[ContentRow, ...]


class ListingError(Exception):
    """The visitor's key worked for the exchange but the listing failed; a plain message."""


def fetch_listing(client: Any) -> Listing:
    """Who the key acts as, and the content it may see: ListingError when Connect says
    no, VisitorAccessError (unreachable, the exchange's wording) when it does not answer."""
    # Imported here, at the first listing: at start-up they cost the app ~60 ms of
    # its cold start, and the client (posit-sdk) loads them by then anyway.
    import requests
    from posit.connect.errors import ClientError

    try:
        username = str(client.me["username"])
        items = client.content.find()
    except ClientError as error:
        raise ListingError(
            f"Connect refused the listing (HTTP {error.http_status}): {error.error_message}"
        ) from None
    except requests.RequestException:  # a timeout, or a server remembered as not answering
        raise VisitorAccessError.unreachable() from None
    return Listing(username, tuple(sorted_rows(items)))
