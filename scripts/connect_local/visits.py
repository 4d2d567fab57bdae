"""Visits: what Connect's instrumentation records when someone opens content.

Connect records one visit per page view of a content item (since 2023.10,
``data_version`` 3: not per asset, callback or API request), by a signed-in
or an anonymous visitor, with its time, user, content and bundle. Here a page
view is a ``GET`` the app answers ``200`` with an HTML document: the index
page, or another page of a multi-page app opened directly; Dash's callbacks
(JSON), assets and the layout are not HTML and are not counted. Visits are
kept in the state file (``visits``), in the order they happened, each with
an increasing numeric ``id`` that the API's cursors point at.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scripts.connect_local.directory import Principal
from scripts.connect_local.store import Record, Store

# Connect's counting method since 2023.10 (``min_data_version`` filters on it).
DATA_VERSION = 3


def is_page_view(method: str, status: int, content_type: str) -> bool:
    """Whether a content response is a page view Connect counts as a visit."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return method == "GET" and status == 200 and media_type == "text/html"


def visit_time() -> str:
    """RFC 3339 with microseconds, as Connect writes instrumentation times."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_visit(
    store: Store, content_guid: str, bundle_id: str | None, visitor: Principal, path: str
) -> Record:
    """Keep one visit of ``visitor`` to ``content_guid`` (``bundle_id``: the bundle served)."""
    visit_id = int(store.next_id())
    visit = {
        "id": visit_id,
        "content_guid": content_guid,
        "user_guid": None if visitor.is_anonymous else visitor.user_guid,
        "variant_key": None,  # rendered content only (R Markdown, Quarto, Jupyter)
        "rendering_id": None,
        "bundle_id": int(bundle_id) if bundle_id and bundle_id.isdigit() else None,
        "time": visit_time(),
        "data_version": DATA_VERSION,
        "path": path or "/",
    }
    with store.change() as state:
        state["visits"].append(visit)
    return visit
