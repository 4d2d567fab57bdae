"""Content thumbnails: ``GET/PUT/DELETE v1/content/{guid}/thumbnail`` (Connect 2024.09.0+).

The body is the raw image (PNG, JPEG, GIF or SVG), told apart by its first
bytes; anything else, an empty body or one over ``MAX_THUMBNAIL_BYTES``: 400.
GET answers the image with its media type, or 404 when there is none. Seeing
the content is enough to read it; changing it takes an editor.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from scripts.connect_local.api.common import content_for, current_store
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NOT_FOUND, ApiError
from scripts.connect_rules.thumbnails import MAX_THUMBNAIL_BYTES, image_type

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("thumbnails", __name__)


@routes.get("/v1/content/<guid>/thumbnail")
def get_thumbnail(guid: str) -> Response:
    content_for(guid)
    store = current_store()
    with store.read() as state:
        media_type = state["thumbnails"].get(guid)
    path = store.thumbnail_path(guid)
    if media_type is None or not path.is_file():
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no thumbnail")
    return Response(path.read_bytes(), mimetype=media_type)


@routes.put("/v1/content/<guid>/thumbnail")
def set_thumbnail(guid: str) -> Response:
    content_for(guid, edit=True)
    data = request.get_data()
    if len(data) > MAX_THUMBNAIL_BYTES:
        raise ApiError(
            400,
            CODE_BAD_REQUEST,
            f"the thumbnail has {len(data)} bytes; at most {MAX_THUMBNAIL_BYTES} are accepted",
        )
    media_type = image_type(data)
    if media_type is None:
        raise ApiError(400, CODE_BAD_REQUEST, "the thumbnail must be a PNG, JPEG, GIF or SVG image")
    store = current_store()
    path = store.thumbnail_path(guid)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    with store.change() as state:
        state["thumbnails"][guid] = media_type
    return Response(status=204)


@routes.delete("/v1/content/<guid>/thumbnail")
def delete_thumbnail(guid: str) -> Response:
    content_for(guid, edit=True)
    store = current_store()
    with store.change() as state:
        had = state["thumbnails"].pop(guid, None)
    store.thumbnail_path(guid).unlink(missing_ok=True)
    if had is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no thumbnail")
    return Response(status=204)
