"""Users and groups: ``v1/user``, ``v1/users``, ``v1/groups`` and group members.

Administrators create and lock users; a user changes their own name and email
(``PUT v1/users/{guid}``), an administrator anyone's, and only an administrator
a role. Publishers and administrators create groups, and a group's owner or
an administrator deletes it or changes its members. Users are never deleted
(Connect has no such call): they are locked.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import EDITOR_ROLES
from scripts.connect_local.api.common import (
    change_record,
    current_caller,
    current_store,
    json_body,
    paged,
    require_role,
)
from scripts.connect_local.directory import (
    ROLES,
    add_member,
    delete_group,
    ensure_group,
    ensure_user,
    find_group,
    find_user,
    members_of,
    remove_member,
    set_locked,
)
from scripts.connect_local.errors import (
    CODE_ALREADY_MEMBER,
    CODE_BAD_REQUEST,
    CODE_GROUP_NAME_TAKEN,
    CODE_GROUP_NOT_FOUND,
    CODE_LOCK_NOT_ALLOWED,
    CODE_MISSING_PARAMETER,
    CODE_NO_PERMISSION,
    CODE_NOT_YOURS,
    CODE_UNKNOWN_ROLE,
    CODE_USER_NOT_FOUND,
    CODE_USERNAME_TAKEN,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("principals", __name__)

# GET v1/users?account_status=...: which users each value lists.
ACCOUNT_STATUS = {"locked": True, "licensed": False}
USER_FIELDS = ("email", "first_name", "last_name")
# What PUT v1/users/{guid} may change and answers with (Connect's EditableUser).
EDITABLE_USER_FIELDS = ("email", "username", *USER_FIELDS[1:], "user_role")


@routes.get("/v1/user")
def current_user() -> Response:
    with current_store().read() as state:
        return jsonify(state["users"][current_caller().user_guid])


def _principals(table: str, name_field: str, keep: Any = None) -> Response:
    """A page of users or groups whose name starts with ``prefix`` (any case)."""
    prefix = request.args.get("prefix", "").lower()
    with current_store().read() as state:
        found = [r for r in state[table].values() if r[name_field].lower().startswith(prefix)]
    found = [r for r in found if keep is None or keep(r)]
    return jsonify(paged(sorted(found, key=lambda r: r[name_field])))


def _user(guid: str) -> Record:
    with current_store().read() as state:
        record: Record | None = state["users"].get(guid)
    if record is None:
        raise refusal(CODE_USER_NOT_FOUND, f"user {guid} does not exist")
    return record


def _group(guid: str) -> Record:
    with current_store().read() as state:
        record: Record | None = state["groups"].get(guid)
    if record is None:
        raise refusal(CODE_GROUP_NOT_FOUND, f"group {guid} does not exist")
    return record


@routes.get("/v1/users")
def list_users() -> Response:
    status, role = request.args.get("account_status"), request.args.get("user_role")

    def keep(user: Record) -> bool:
        locked_ok = status not in ACCOUNT_STATUS or bool(user["locked"]) == ACCOUNT_STATUS[status]
        return locked_ok and role in (None, user["user_role"])

    return _principals("users", "username", keep)


@routes.post("/v1/users")
def create_user() -> Response:
    """An administrator adds a user (the stand-in keeps no password: nobody logs in with one)."""
    require_role("administrator")
    body = json_body()
    username = body.get("username") if isinstance(body, dict) else None
    if not isinstance(username, str) or not 1 <= len(username.strip()) <= 64:
        raise refusal(CODE_MISSING_PARAMETER, 'expected {"username": "<1 to 64 characters>"}')
    role = body.get("user_role") or "viewer"
    if role not in ROLES:
        raise refusal(CODE_UNKNOWN_ROLE, f"user_role {role!r} is not one of {', '.join(ROLES)}")
    if find_user(current_store(), username) is not None:
        raise refusal(CODE_USERNAME_TAKEN, f"the username {username!r} is already in use")
    user = ensure_user(current_store(), username, role)
    with current_store().change() as state:
        record = state["users"][user["guid"]]
        record.update({k: body[k] for k in USER_FIELDS if isinstance(body.get(k), str)})
        return jsonify(dict(record))


@routes.get("/v1/users/<guid>")
def get_user(guid: str) -> Response:
    return jsonify(_user(guid))


def _user_changes(body: Any, user: Record) -> Record:
    """The checked changes of ``PUT v1/users/{guid}`` (nothing is written on a refusal)."""
    if not isinstance(body, dict):
        raise refusal(CODE_BAD_REQUEST, "expected a JSON object of user fields")
    unknown = sorted(set(body) - set(EDITABLE_USER_FIELDS))
    if unknown:
        raise refusal(
            CODE_BAD_REQUEST,
            f"unknown user fields {', '.join(unknown)}; expected {', '.join(EDITABLE_USER_FIELDS)}",
        )
    if any(not isinstance(value, str) for value in body.values()):
        raise refusal(CODE_BAD_REQUEST, "every user field is a string")
    if body.get("user_role", user["user_role"]) not in ROLES:
        raise refusal(
            CODE_UNKNOWN_ROLE, f"user_role {body['user_role']!r} is not one of {', '.join(ROLES)}"
        )
    username = str(body.get("username", user["username"]))
    if not 1 <= len(username.strip()) <= 64:
        raise refusal(CODE_MISSING_PARAMETER, "a username has 1 to 64 characters")
    taken = find_user(current_store(), username)
    if taken is not None and taken["guid"] != user["guid"]:
        raise refusal(CODE_USERNAME_TAKEN, f"the username {username!r} is already in use")
    return dict(body)


@routes.put("/v1/users/<guid>")
def update_user(guid: str) -> Response:
    """Oneself or, as an administrator, anyone; a role only as an administrator."""
    caller = current_caller()
    user = _user(guid)
    is_admin = caller.role == "administrator"
    if not is_admin and caller.user_guid != guid:
        raise ApiError(403, CODE_NOT_YOURS, f"{caller.username} may change their own user only")
    changes = _user_changes(json_body(), user)
    if not is_admin and changes.get("user_role", user["user_role"]) != user["user_role"]:
        raise ApiError(403, CODE_NOT_YOURS, "only an administrator changes a user's role")
    record = change_record("users", guid, changes)
    return jsonify({k: record.get(k) for k in (*EDITABLE_USER_FIELDS, "updated_time")})


@routes.post("/v1/users/<guid>/lock")
def lock_user(guid: str) -> Response:
    caller = current_caller()
    if caller.role != "administrator":
        raise refusal(CODE_LOCK_NOT_ALLOWED, f"{caller.username} may not lock or unlock users")
    _user(guid)
    body = json_body()
    locked = body.get("locked") if isinstance(body, dict) else None
    if not isinstance(locked, bool):
        raise refusal(CODE_BAD_REQUEST, 'expected {"locked": true} or {"locked": false}')
    set_locked(current_store(), guid, locked)
    return Response(status=204)


@routes.get("/v1/groups")
def list_groups() -> Response:
    return _principals("groups", "name")


@routes.post("/v1/groups")
def create_group() -> Response:
    caller = require_role(*EDITOR_ROLES)
    body = json_body()
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise refusal(CODE_MISSING_PARAMETER, 'expected {"name": "<group name>"}')
    if find_group(current_store(), name) is not None:
        raise refusal(CODE_GROUP_NAME_TAKEN, f"a group named {name!r} already exists")
    group = ensure_group(current_store(), name, owner_guid=caller.user_guid)
    return jsonify(group)


@routes.get("/v1/groups/<guid>")
def get_group(guid: str) -> Response:
    return jsonify(_group(guid))


def _group_to_change(guid: str) -> Record:
    """The group, if the caller may change it: its owner or an administrator."""
    group = _group(guid)
    caller = current_caller()
    if caller.role != "administrator" and group.get("owner_guid") != caller.user_guid:
        raise refusal(
            CODE_NO_PERMISSION,
            f"{caller.username} may not change group {group['name']!r}: only its owner "
            "and administrators may",
        )
    return group


@routes.delete("/v1/groups/<guid>")
def remove_group(guid: str) -> Response:
    _group_to_change(guid)
    delete_group(current_store(), guid)
    return Response(status=204)


@routes.get("/v1/groups/<guid>/members")
def group_members(guid: str) -> Response:
    _group(guid)
    return jsonify(paged(members_of(current_store(), guid)))


@routes.post("/v1/groups/<guid>/members")
def add_group_member(guid: str) -> Response:
    group = _group_to_change(guid)
    body = json_body()
    user_guid = body.get("user_guid") if isinstance(body, dict) else None
    if not isinstance(user_guid, str):
        raise refusal(CODE_MISSING_PARAMETER, 'expected {"user_guid": "<a user\'s GUID>"}')
    user = _user(user_guid)
    if not add_member(current_store(), guid, user_guid):
        raise refusal(
            CODE_ALREADY_MEMBER, f"{user['username']} is already in group {group['name']!r}"
        )
    return Response(status=204)


@routes.delete("/v1/groups/<guid>/members/<user_guid>")
def remove_group_member(guid: str, user_guid: str) -> Response:
    _group_to_change(guid)
    _user(user_guid)
    remove_member(current_store(), guid, user_guid)
    return Response(status=204)
