"""Tags: a tree of names (``v1/tags``) and the tags of each content item.

- ``GET v1/tags`` (``name``, ``parent_id`` filter) and ``GET v1/tags/{id}``: anyone with a key.
- ``POST v1/tags {"name", "parent_id"}``: administrators only (403 otherwise);
  names are 1..255 characters (78 empty, 77 longer), unique among siblings (400, 81).
- ``PATCH v1/tags/{id} {"name", "parent_id"}`` and ``DELETE v1/tags/{id}``:
  administrators only. A tag cannot move under itself or a tag below it (400,
  code 25); deleting one deletes the tags below it and removes them all from
  the content they were on (posit-sdk's ``Tag.destroy``).
- ``GET v1/tags/{id}/content``: the content with the tag that the caller may see.
- ``GET v1/content/{guid}/tags``: whoever sees the content;
  ``POST v1/content/{guid}/tags {"tag_id"}`` and ``DELETE v1/content/{guid}/tags/{id}``:
  its editors. As posit-sdk documents, adding a tag adds the tags above it too,
  and removing one removes those above it. An unknown parent: 400 code 157; an
  unknown tag to add: 400 code 158 (Connect's table); adding a tag the content
  has: 409; removing one it has not: 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import is_visible
from scripts.connect_local.api.common import (
    content_for,
    current_caller,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.api.content import content_json
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import (
    CODE_BAD_REQUEST,
    CODE_NAME_TAKEN,
    CODE_NOT_FOUND,
    CODE_PARENT_TAG_NOT_FOUND,
    CODE_SIBLING_TAG_TAKEN,
    CODE_TAG_NAME_LENGTH,
    CODE_TAG_NAME_MISSING,
    CODE_TAG_NOT_FOUND,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record, Store

MAX_TAG_NAME = 255

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("tags", __name__)


def _tag(tag_id: object, missing: int = CODE_NOT_FOUND) -> Record:
    """The tag; else ``missing``'s refusal (404 code 4 for a path, Connect's 157/158 for a
    ``parent_id`` or ``tag_id`` in a body)."""
    with current_store().read() as state:
        tag = state["tags"].get(str(tag_id))
    if tag is None:
        raise refusal(missing, f"tag {tag_id} does not exist")
    return tag


@routes.get("/v1/tags")
def list_tags() -> Response:
    with current_store().read() as state:
        tags = list(state["tags"].values())
    for arg in ("name", "parent_id"):
        if arg in request.args:
            tags = [t for t in tags if (t[arg] or "") == request.args[arg]]
    return jsonify(sorted(tags, key=lambda t: int(t["id"])))


@routes.get("/v1/tags/<tag_id>")
def get_tag(tag_id: str) -> Response:
    return jsonify(_tag(tag_id))


def _checked_name(body: Any) -> str:
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise refusal(CODE_TAG_NAME_MISSING, "a tag needs a name")
    if len(name) > MAX_TAG_NAME:
        raise refusal(CODE_TAG_NAME_LENGTH, f"a tag name has at most {MAX_TAG_NAME} characters")
    return name


def _checked_parent(parent: object) -> str | None:
    if parent in (None, ""):
        return None
    return str(_tag(parent, CODE_PARENT_TAG_NOT_FOUND)["id"])


def _refuse_sibling(tags: Record, name: str, parent_id: str | None, keep: str = "") -> None:
    if any(
        t["name"] == name and t["parent_id"] == parent_id and t["id"] != keep for t in tags.values()
    ):
        raise refusal(CODE_SIBLING_TAG_TAKEN, f"a tag named {name!r} exists there already")


@routes.post("/v1/tags")
def create_tag() -> Response:
    require_role("administrator")
    body = json_body()
    name = _checked_name(body)
    parent_id = _checked_parent(body.get("parent_id"))
    store = current_store()
    with store.change() as state:
        _refuse_sibling(state["tags"], name, parent_id)
        tag = _new_tag(store, state, name, parent_id)
    return jsonify(tag)


def _new_tag(store: Store, state: Record, name: str, parent_id: str | None) -> Record:
    """A new tag in ``state`` (the caller holds ``store.change()``)."""
    stamp = now_iso()
    tag = {
        "id": store.next_id(),
        "name": name,
        "parent_id": parent_id,
        "created_time": stamp,
        "updated_time": stamp,
    }
    state["tags"][tag["id"]] = tag
    return tag


def ensure_tag_path(store: Store, path: str) -> str:
    """The id of the tag at ``Parent/Child`` ``path``, making each missing level (what an
    administrator does once on a server: ``--tags-from-apps``)."""
    parent_id: str | None = None
    for name in path.split("/"):
        with store.change() as state:
            found = next(
                (
                    t
                    for t in state["tags"].values()
                    if (t["name"], t["parent_id"]) == (name, parent_id)
                ),
                None,
            )
            if found is None:
                found = _new_tag(store, state, name, parent_id)
        parent_id = str(found["id"])
    assert parent_id is not None, "a tag path has at least one name"
    return parent_id


def _below(tags: Record, tag_id: str) -> list[str]:
    """The tag and every tag under it."""
    found = [tag_id]
    for current in found:
        found.extend(t["id"] for t in tags.values() if t["parent_id"] == current)
    return found


@routes.patch("/v1/tags/<tag_id>")
def update_tag(tag_id: str) -> Response:
    require_role("administrator")
    tag = _tag(tag_id)
    body = json_body()
    if not isinstance(body, dict):
        raise refusal(CODE_BAD_REQUEST, 'expected {"name": ..., "parent_id": ...}')
    name = _checked_name(body) if "name" in body else tag["name"]
    parent_id = _checked_parent(body["parent_id"]) if "parent_id" in body else tag["parent_id"]
    with current_store().change() as state:
        if parent_id is not None and parent_id in _below(state["tags"], tag["id"]):
            raise refusal(CODE_BAD_REQUEST, f"tag {tag_id} cannot move under itself")
        _refuse_sibling(state["tags"], name, parent_id, keep=tag["id"])
        record = state["tags"][tag["id"]]
        record.update(name=name, parent_id=parent_id, updated_time=now_iso())
        return jsonify(dict(record))


@routes.delete("/v1/tags/<tag_id>")
def delete_tag(tag_id: str) -> Response:
    require_role("administrator")
    tag = _tag(tag_id)
    with current_store().change() as state:
        gone = set(_below(state["tags"], tag["id"]))
        for removed in gone:
            del state["tags"][removed]
        for guid, ids in state["content_tags"].items():
            state["content_tags"][guid] = [i for i in ids if i not in gone]
    return Response(status=204)


@routes.get("/v1/tags/<tag_id>/content")
def tagged_content(tag_id: str) -> Response:
    tag = _tag(tag_id)
    caller = current_caller()
    with current_store().read() as state:
        tagged = [
            state["content"][guid]
            for guid, ids in state["content_tags"].items()
            if tag["id"] in ids and guid in state["content"]
        ]
        visible = [
            c for c in tagged if is_visible(c, state["permissions"].get(c["guid"], []), caller)
        ]
    return jsonify([content_json(c) for c in sorted(visible, key=lambda c: c["created_time"])])


@routes.get("/v1/content/<guid>/tags")
def content_tags(guid: str) -> Response:
    content_for(guid)
    with current_store().read() as state:
        ids = state["content_tags"].get(guid, [])
        return jsonify([state["tags"][i] for i in ids if i in state["tags"]])


def _with_ancestors(tags: Record, tag_id: str) -> list[str]:
    """The tag and every tag above it, from the top of the tree down."""
    chain: list[str] = []
    current: str | None = tag_id
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = tags[current]["parent_id"]
    return chain


@routes.post("/v1/content/<guid>/tags")
def tag_content(guid: str) -> Response:
    content_for(guid, edit=True)
    body = json_body()
    tag = _tag(body.get("tag_id") if isinstance(body, dict) else None, CODE_TAG_NOT_FOUND)
    with current_store().change() as state:
        ids = state["content_tags"].setdefault(guid, [])
        if tag["id"] in ids:
            raise ApiError(409, CODE_NAME_TAKEN, f"content {guid} has tag {tag['id']} already")
        ids.extend(i for i in _with_ancestors(state["tags"], tag["id"]) if i not in ids)
    return jsonify(tag)


@routes.delete("/v1/content/<guid>/tags/<tag_id>")
def untag_content(guid: str, tag_id: str) -> Response:
    content_for(guid, edit=True)
    with current_store().change() as state:
        ids = state["content_tags"].get(guid, [])
        if tag_id not in ids:
            raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no tag {tag_id}")
        for removed in _with_ancestors(state["tags"], tag_id):
            if removed in ids:
                ids.remove(removed)
    return Response(status=204)
