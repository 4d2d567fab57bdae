"""Users and groups: ``v1/user``, ``v1/users``, ``v1/groups`` (publishers may create groups)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import EDITOR_ROLES
from scripts.connect_local.api.common import (
    current_caller,
    current_store,
    json_body,
    paged,
    require_role,
)
from scripts.connect_local.directory import ensure_group, find_group, members_of
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NAME_TAKEN, CODE_NOT_FOUND, ApiError
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("principals", __name__)


@routes.get("/v1/user")
def current_user() -> Response:
    with current_store().read() as state:
        return jsonify(state["users"][current_caller().user_guid])


def _principals(table: str, name_field: str) -> Response:
    """A page of users or groups whose name starts with ``prefix`` (any case)."""
    prefix = request.args.get("prefix", "").lower()
    with current_store().read() as state:
        found = [r for r in state[table].values() if r[name_field].lower().startswith(prefix)]
    return jsonify(paged(sorted(found, key=lambda r: r[name_field])))


def _principal(table: str, guid: str) -> Record:
    with current_store().read() as state:
        record = state[table].get(guid)
    if record is None:
        raise ApiError(404, CODE_NOT_FOUND, f"{table[:-1]} {guid} does not exist")
    return record


@routes.get("/v1/users")
def list_users() -> Response:
    return _principals("users", "username")


@routes.get("/v1/users/<guid>")
def get_user(guid: str) -> Response:
    return jsonify(_principal("users", guid))


@routes.get("/v1/groups")
def list_groups() -> Response:
    return _principals("groups", "name")


@routes.post("/v1/groups")
def create_group() -> Response:
    caller = require_role(*EDITOR_ROLES)
    body = json_body()
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"name": "<group name>"}')
    if find_group(current_store(), name) is not None:
        raise ApiError(409, CODE_NAME_TAKEN, f"a group named {name!r} already exists")
    group = ensure_group(current_store(), name, owner_guid=caller.user_guid)
    return jsonify(group)


@routes.get("/v1/groups/<guid>")
def get_group(guid: str) -> Response:
    return jsonify(_principal("groups", guid))


@routes.get("/v1/groups/<guid>/members")
def group_members(guid: str) -> Response:
    _principal("groups", guid)
    return jsonify(paged(members_of(current_store(), guid)))
