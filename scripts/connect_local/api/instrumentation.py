"""Usage data: ``GET v1/instrumentation/content/visits`` and ``.../content/hits``.

Both read the visits the proxy records (``scripts/connect_local/visits.py``).
Who may read them (as Connect's API reference describes; posit-sdk 0.17
does not check roles): administrators all of them; publishers those of
content they own or collaborate on; viewers nothing (403, code 10).

- ``visits``: keyset ("cursor") paging as posit-sdk's ``CursorPaginator``
  reads it: ``{"paging": {"cursors": {"previous", "next"}, "first",
  "previous", "next"}, "results": [...]}``; ``limit`` 1..500 (default 20),
  ``next``/``previous`` an opaque cursor from an earlier answer, ``asc_order``
  (default true); filters ``content_guid``, ``min_data_version``, ``from``
  and ``to`` (RFC 3339, both inclusive). A bad value: 400 naming it.
- ``shiny/usage``: the same paging and rules; always empty here (no Shiny
  runs on the stand-in), so posit-sdk's ``metrics.usage.find()``, which
  merges it with the visits, works.
- ``hits`` (Connect 2025.04+; posit-sdk's ``metrics.hits`` requires that
  version): one list, no paging, each ``{"id", "user_guid", "content_guid",
  "timestamp", "data": {"path"}}``; filters ``content_guid`` (several
  joined with ``|``), ``from``, ``to``. An older ``--version``: 404 code 2,
  as an older Connect answers an endpoint it does not have.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import is_editor
from scripts.connect_local.api.common import (
    GUID_PATTERN,
    base_url,
    current_caller,
    current_config,
    current_store,
    require_role,
)
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_UNSUPPORTED, ApiError
from scripts.connect_local.store import Record

MAX_LIMIT = 500
DEFAULT_LIMIT = 20
HITS_SINCE = (2025, 4, 0)

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("instrumentation", __name__)


def _bad(name: str, value: str, expected: str) -> ApiError:
    return ApiError(400, CODE_BAD_REQUEST, f"{name}={value!r} is invalid; expected {expected}")


def _time(name: str) -> datetime | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(name, value, "an RFC 3339 time such as 2025-05-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise _bad(name, value, "an RFC 3339 time with its offset (Z or +hh:mm)")
    return moment


def _guids(name: str, *, several: bool) -> set[str] | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    guids = value.split("|") if several else [value]
    if not all(GUID_PATTERN.match(g) for g in guids):
        raise _bad(name, value, "content GUIDs joined with |" if several else "a content GUID")
    return {g.lower() for g in guids}


def _int(name: str, default: int, low: int, high: int | None = None) -> int:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    if not value.lstrip("-").isdigit() or not (
        low <= int(value) <= (high if high is not None else int(value))
    ):
        span = f"{low}..{high}" if high is not None else f"at least {low}"
        raise _bad(name, value, f"an integer {span}")
    return int(value)


def _readable_visits() -> list[Record]:
    """The visits the caller may read (a viewer: refused), filtered by time and content."""
    caller = require_role("publisher", "administrator")
    start, end = _time("from"), _time("to")
    with current_store().read() as state:
        visits = state["visits"]
        content, permissions = state["content"], state["permissions"]
    if caller.role != "administrator":
        editable = {
            guid
            for guid, item in content.items()
            if is_editor(item, permissions.get(guid, []), current_caller())
        }
        visits = [v for v in visits if v["content_guid"] in editable]

    def within(visit: Record) -> bool:
        moment = datetime.fromisoformat(visit["time"])
        return (start is None or moment >= start) and (end is None or moment <= end)

    return [v for v in visits if within(v)]


def _encode(visit_id: int) -> str:
    return base64.urlsafe_b64encode(f"visit:{visit_id}".encode()).decode().rstrip("=")


def _decode(name: str) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "visit" or not number.isdigit():
        raise _bad(name, value, "a cursor from an earlier answer's paging.cursors")
    return int(number)


def _page_url(**cursor: str) -> str:
    kept = {k: v for k, v in request.args.items() if k not in ("next", "previous")}
    return f"{base_url()}{request.path}?{urlencode({**kept, **cursor})}"


@routes.get("/v1/instrumentation/shiny/usage")
def shiny_usage() -> Response:
    """Shiny sessions: the stand-in runs no Shiny app, so there are none (same paging)."""
    return _cursor_page([])


@routes.get("/v1/instrumentation/content/visits")
def visits() -> Response:
    return _cursor_page(_readable_visits())


def _cursor_page(found: list[Record]) -> Response:
    require_role("publisher", "administrator")
    guids = _guids("content_guid", several=False)
    minimum = _int("min_data_version", 0, 0)
    limit = _int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    ascending = request.args.get("asc_order", "true").lower()
    if ascending not in ("true", "false"):
        raise _bad("asc_order", ascending, "true or false")
    after, before = _decode("next"), _decode("previous")
    found = [
        v
        for v in found
        if (guids is None or v["content_guid"] in guids) and v["data_version"] >= minimum
    ]
    found.sort(key=lambda v: int(v["id"]), reverse=ascending == "false")
    position: Callable[[Record], int] = (
        (lambda v: int(v["id"])) if ascending == "true" else (lambda v: -int(v["id"]))
    )
    if after is not None:
        mark = after if ascending == "true" else -after
        found = [v for v in found if position(v) > mark]
        page, rest_before = found[:limit], True
        rest_after = len(found) > limit
    elif before is not None:
        mark = before if ascending == "true" else -before
        earlier = [v for v in found if position(v) < mark]
        page, rest_after = earlier[-limit:], True
        rest_before = len(earlier) > limit
    else:
        page, rest_before, rest_after = found[:limit], False, len(found) > limit
    next_cursor = _encode(page[-1]["id"]) if page and rest_after else None
    previous_cursor = _encode(page[0]["id"]) if page and rest_before else None
    paging = {
        "cursors": {"previous": previous_cursor, "next": next_cursor},
        "first": _page_url(),
        "previous": _page_url(previous=previous_cursor) if previous_cursor else None,
        "next": _page_url(next=next_cursor) if next_cursor else None,
    }
    return jsonify({"paging": paging, "results": [_visit_fields(v) for v in page]})


def _visit_fields(visit: Record) -> Record:
    return {k: v for k, v in visit.items() if k != "id"}


def _version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")[:3] if p.isdigit()]
    return tuple(parts)


@routes.get("/v1/instrumentation/content/hits")
def hits() -> Response:
    if _version(current_config().version) < HITS_SINCE:
        raise ApiError(
            404,
            CODE_UNSUPPORTED,
            f"GET {request.path} is not supported by Connect {current_config().version} "
            "(content hits came in 2025.04.0)",
        )
    found = _readable_visits()
    guids = _guids("content_guid", several=True)
    return jsonify(
        [
            {
                "id": v["id"],
                "user_guid": v["user_guid"],
                "content_guid": v["content_guid"],
                "timestamp": v["time"],
                "data": {"path": v["path"]},
            }
            for v in found
            if guids is None or v["content_guid"] in guids
        ]
    )
