"""Who may view or collaborate on a content item: ``v1/content/{guid}/permissions``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from scripts.connect_local.access import EDITOR_ROLES
from scripts.connect_local.api.common import content_for, current_store, json_body
from scripts.connect_local.errors import (
    CODE_BAD_REQUEST,
    CODE_GROUP_ALREADY_PERMITTED,
    CODE_GROUP_NOT_FOUND,
    CODE_INVALID_JSON,
    CODE_NOT_A_PUBLISHER,
    CODE_NOT_FOUND,
    CODE_OWNER_AS_PRINCIPAL,
    CODE_PRINCIPAL_TYPE,
    CODE_USER_ALREADY_PERMITTED,
    CODE_USER_NOT_FOUND,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("permissions", __name__)


def _permissions(guid: str) -> list[Record]:
    with current_store().read() as state:
        return list(state["permissions"].get(guid, []))


def _check_permission(body: Any, content: Record) -> Record:
    """The permission ``body`` asks for, or the refusal Connect answers with."""
    if not isinstance(body, dict):
        raise refusal(CODE_INVALID_JSON, "expected a JSON object")
    kind, role, principal = body.get("principal_type"), body.get("role"), body.get("principal_guid")
    if kind not in ("user", "group"):
        raise refusal(CODE_PRINCIPAL_TYPE, "principal_type must be 'user' or 'group'")
    if role not in ("viewer", "owner"):
        raise refusal(CODE_BAD_REQUEST, "role must be 'viewer' or 'owner'")
    with current_store().read() as state:
        record = state["users" if kind == "user" else "groups"].get(principal)
    if record is None:
        missing = CODE_USER_NOT_FOUND if kind == "user" else CODE_GROUP_NOT_FOUND
        raise refusal(missing, f"{kind} {principal} does not exist")
    if kind == "user" and principal == content["owner_guid"]:
        raise refusal(CODE_OWNER_AS_PRINCIPAL, "the content's owner needs no permission on it")
    if kind == "user" and role == "owner" and record["user_role"] not in EDITOR_ROLES:
        raise refusal(
            CODE_NOT_A_PUBLISHER,
            f"{record['username']} is a {record['user_role']}: collaborators (role 'owner') "
            "must be publishers or administrators",
        )
    return {"principal_guid": principal, "principal_type": kind, "role": role}


@routes.get("/v1/content/<guid>/permissions")
def list_permissions(guid: str) -> Response:
    content_for(guid)
    return jsonify(_permissions(guid))


@routes.post("/v1/content/<guid>/permissions")
def add_permission(guid: str) -> Response:
    fields = _check_permission(json_body(), content_for(guid, edit=True))
    store = current_store()
    with store.change() as state:
        existing = state["permissions"].setdefault(guid, [])
        if any(p["principal_guid"] == fields["principal_guid"] for p in existing):
            taken = CODE_USER_ALREADY_PERMITTED
            if fields["principal_type"] == "group":
                taken = CODE_GROUP_ALREADY_PERMITTED
            raise refusal(taken, "this principal already has a permission here")
        permission = {"id": store.next_id(), "content_guid": guid, **fields}
        existing.append(permission)
    return jsonify(permission)


def _find_permission(guid: str, permission_id: str) -> Record:
    found = next((p for p in _permissions(guid) if p["id"] == permission_id), None)
    if found is None:
        raise ApiError(404, CODE_NOT_FOUND, f"permission {permission_id} does not exist")
    return found


@routes.get("/v1/content/<guid>/permissions/<permission_id>")
def get_permission(guid: str, permission_id: str) -> Response:
    content_for(guid)
    return jsonify(_find_permission(guid, permission_id))


@routes.put("/v1/content/<guid>/permissions/<permission_id>")
def update_permission(guid: str, permission_id: str) -> Response:
    content = content_for(guid, edit=True)
    _find_permission(guid, permission_id)
    fields = _check_permission(json_body(), content)
    with current_store().change() as state:
        for permission in state["permissions"][guid]:
            if permission["id"] == permission_id:
                permission.update(fields)
                return jsonify(permission)
    raise ApiError(404, CODE_NOT_FOUND, f"permission {permission_id} does not exist")


@routes.delete("/v1/content/<guid>/permissions/<permission_id>")
def delete_permission(guid: str, permission_id: str) -> Response:
    content_for(guid, edit=True)
    _find_permission(guid, permission_id)
    with current_store().change() as state:
        state["permissions"][guid] = [
            p for p in state["permissions"][guid] if p["id"] != permission_id
        ]
    return Response(status=204)
