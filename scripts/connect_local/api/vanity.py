"""Vanity URLs: one path per content item, never nested in another.

``GET v1/vanities`` lists every vanity URL, for administrators only (others 403).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from scripts.connect_local.api.common import (
    content_for,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import (
    CODE_NOT_FOUND,
    CODE_VANITY_NOT_PERMITTED,
    CODE_VANITY_TAKEN,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record
from scripts.connect_rules.vanity import InvalidVanity, normalise_vanity

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("vanity", __name__)


def _vanity_json(guid: str, path: str) -> Record:
    return {"content_guid": guid, "path": path, "created_time": now_iso()}


@routes.get("/v1/content/<guid>/vanity")
def get_vanity(guid: str) -> Response:
    content_for(guid)
    with current_store().read() as state:
        path = state["vanities"].get(guid)
    if path is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no vanity URL")
    return jsonify(_vanity_json(guid, path))


def vanity_path_from_body(body: Any) -> str:
    try:
        return normalise_vanity(body.get("path") if isinstance(body, dict) else None)
    except InvalidVanity as error:
        raise refusal(CODE_VANITY_NOT_PERMITTED, str(error)) from None


@routes.put("/v1/content/<guid>/vanity")
def set_vanity(guid: str) -> Response:
    content_for(guid, edit=True)
    body = json_body()
    path = vanity_path_from_body(body)
    force = bool(body.get("force")) if isinstance(body, dict) else False
    with current_store().change() as state:
        for other, other_path in list(state["vanities"].items()):
            if other == guid:
                continue
            if other_path == path and force:
                del state["vanities"][other]
            elif other_path.startswith(path) or path.startswith(other_path):
                raise refusal(
                    CODE_VANITY_TAKEN,
                    f"vanity path {path!r} overlaps {other_path!r} (no nesting)",
                )
        state["vanities"][guid] = path
    return jsonify(_vanity_json(guid, path))


@routes.delete("/v1/content/<guid>/vanity")
def delete_vanity(guid: str) -> Response:
    content_for(guid, edit=True)
    with current_store().change() as state:
        state["vanities"].pop(guid, None)
    return Response(status=204)


@routes.get("/v1/vanities")
def list_vanities() -> Response:
    require_role("administrator")  # "You must have administrator privileges" (API reference)
    with current_store().read() as state:
        items = [_vanity_json(g, p) for g, p in state["vanities"].items()]
    return jsonify(items)
