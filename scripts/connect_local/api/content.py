"""Content items: list what the caller can see, create, get, update, delete.

Names are unique per owner; settings are checked by ``content_settings``.
"""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import EDITOR_ROLES, app_role, is_visible
from scripts.connect_local.api.common import (
    base_url,
    content_for,
    current_caller,
    current_config,
    current_deployer,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.content_settings import RUNTIME_FIELDS, checked_settings
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import (
    CODE_BAD_NAME,
    CODE_INVALID_INCLUDE,
    CODE_NAME_TAKEN,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("content", __name__)


NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
# ?include= values: each answered only when asked, and tags only when there are some.
INCLUDES = ("owner", "tags", "vanity_url")
OWNER_FIELDS = ("guid", "username", "first_name", "last_name")


def requested_includes() -> frozenset[str]:
    """``?include=owner,vanity_url``: the optional details asked for (400 code 161 else)."""
    asked = {part.strip() for part in request.args.get("include", "").split(",") if part.strip()}
    unknown = sorted(asked - set(INCLUDES))
    if unknown:
        raise refusal(
            CODE_INVALID_INCLUDE, f"include {unknown} is not one of {', '.join(INCLUDES)}"
        )
    return frozenset(asked)


def content_json(record: Record, includes: frozenset[str] = frozenset()) -> Record:
    """The content as Connect answers it: ``owner``, ``tags`` and ``vanity_url`` only when
    included (``tags`` and ``vanity_url`` only when the content has them)."""
    base, guid = base_url(), record["guid"]
    with current_store().read() as state:
        vanity = state["vanities"].get(guid)
        permissions = state["permissions"].get(guid, [])
        owner = state["users"].get(record["owner_guid"], {})
        tag_ids = state["content_tags"].get(guid, [])
        tags = [state["tags"][i] for i in tag_ids if i in state["tags"]]
    extra: Record = {}
    if "tags" in includes and tags:
        extra["tags"] = tags
    if "owner" in includes:
        extra["owner"] = {k: owner.get(k) for k in OWNER_FIELDS}
    if "vanity_url" in includes and vanity:
        extra["vanity_url"] = f"{base}{vanity}"
    return {
        **record,
        "content_url": f"{base}/content/{guid}/",
        "dashboard_url": f"{base}/connect/#/apps/{guid}",
        "app_role": app_role(record, permissions, current_caller()),
        **extra,
    }


@routes.get("/v1/content")
def list_content() -> Response:
    """Every item the caller can see (names are unique per owner, so ``name`` alone may
    match several): add ``owner_guid`` to get at most one."""
    caller = current_caller()
    with current_store().read() as state:
        items = [
            c
            for c in state["content"].values()
            if is_visible(c, state["permissions"].get(c["guid"], []), caller)
        ]
    for arg in ("name", "owner_guid"):
        if arg in request.args:
            items = [c for c in items if c.get(arg) == request.args[arg]]
    includes = requested_includes()
    ordered = sorted(items, key=lambda c: int(c["id"]))
    return jsonify([content_json(c, includes) for c in ordered])


def _check_name(name: object, owner_guid: str, guid: str | None = None) -> str:
    """A valid name that none of the owner's other items has (unique per owner, as on
    Connect: another user may have an item with the same name)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ApiError(
            400,
            CODE_BAD_NAME,
            "Content name must be 3 to 64 characters: letters, digits, dashes, underscores.",
        )
    with current_store().read() as state:
        clash = any(
            c["name"] == name and c["owner_guid"] == owner_guid and c["guid"] != guid
            for c in state["content"].values()
        )
    if clash:
        raise ApiError(
            409, CODE_NAME_TAKEN, f"The owner already has a content item named {name!r}."
        )
    return name


@routes.post("/v1/content")
def create_content() -> Response:
    owner = require_role(*EDITOR_ROLES).user_guid or ""
    body = checked_settings(json_body(), {}, current_config().policy)
    body.setdefault("name", _generated_name())  # Connect names an item created without one
    _check_name(body.get("name"), owner)
    stamp = now_iso()
    store = current_store()
    with store.change() as state:
        _check_name(body["name"], owner)  # again under the lock: two parallel creates
        content = {
            "guid": str(uuid.uuid4()),
            "id": store.next_id(),
            "name": body["name"],
            "title": None,
            "description": "",
            "access_type": current_config().policy.default_access_type,
            "locked": False,
            "content_category": "",
            **dict.fromkeys(RUNTIME_FIELDS),  # null: the server default
            **body,
            "owner_guid": owner,
            "created_time": stamp,
            "last_deployed_time": None,
            "bundle_id": None,
            "app_mode": "unknown",
        }
        state["content"][content["guid"]] = content
    return jsonify(content_json(content))


def _generated_name() -> str:
    return f"content-{uuid.uuid4().hex[:12]}"


@routes.get("/v1/content/<guid>")
def get_content(guid: str) -> Response:
    return jsonify(content_json(content_for(guid), requested_includes()))


@routes.patch("/v1/content/<guid>")
def update_content(guid: str) -> Response:
    current = content_for(guid, edit=True)
    with current_store().change() as state:
        updates = checked_settings(json_body(), state["content"][guid], current_config().policy)
        if "name" in updates:
            _check_name(updates["name"], current["owner_guid"], guid)
        state["content"][guid].update(updates)
        content = state["content"][guid]
    return jsonify(content_json(content))


@routes.delete("/v1/content/<guid>")
def delete_content(guid: str) -> Response:
    content_for(guid, edit=True)
    current_deployer().forget(guid)
    with current_store().change() as state:
        for table in ("content", "bundles", "environment", "permissions", "vanities"):
            state[table].pop(guid, None)
        for table in ("oauth_associations", "content_tags", "thumbnails", "packages"):
            state[table].pop(guid, None)
        current_store().thumbnail_path(guid).unlink(missing_ok=True)
    return Response(status=204)
