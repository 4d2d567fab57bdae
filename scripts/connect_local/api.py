"""The subset of Connect's API (``/__api__``) that rsconnect-python and posit-sdk use.

Every answer is JSON (``application/json``), errors included, shaped like
Connect's: ``{"code": N, "error": "...", "payload": null}``. Every route but
``server_settings`` needs ``Authorization: Key <key>``; a wrong or missing
key gets 401 with code 30, which rsconnect reports as an invalid key. Each
key belongs to one user, whose role and ownership decide what it may do
(``access``): someone else's content answers 403.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, send_file

from scripts.connect_local.access import EDITOR_ROLES, app_role, is_editor, is_visible
from scripts.connect_local.content_settings import RUNTIME_FIELDS, Policy, checked_settings
from scripts.connect_local.deployer import Deployer
from scripts.connect_local.directory import (
    Visitor,
    ensure_group,
    find_group,
    members_of,
    now_iso,
    visitor_by_guid,
)
from scripts.connect_local.errors import (
    CODE_BAD_NAME,
    CODE_BAD_REQUEST,
    CODE_INTERNAL,
    CODE_NAME_TAKEN,
    CODE_NOT_FOUND,
    CODE_NOT_YOURS,
    CODE_PROHIBITED_ENV_NAME,
    CODE_UNAUTHENTICATED,
    CODE_UNSUPPORTED,
    ApiError,
    bad_request,
)
from scripts.connect_local.faults import Faults, Unavailable
from scripts.connect_local.store import Record, Store
from scripts.connect_local.tasks import TaskRegistry
from scripts.vanity import InvalidVanity, normalise_vanity

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PROHIBITED_ENV_PREFIXES = ("CONNECT_", "RSTUDIO_", "POSIT_")  # Connect sets these itself
DRAFTS_SINCE = (2025, 6, 0)


@dataclass
class ApiConfig:
    """Settings the API answers with."""

    api_key: str  # the default publisher's key (--api-key)
    api_user_guid: str
    version: str
    policy: Policy = field(default_factory=Policy)
    keys: dict[str, str] = field(default_factory=dict)  # every API key -> its user's guid

    def user_for(self, authorization: str | None) -> str | None:
        """The guid of the user whose key ``Authorization: Key <key>`` carries."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "key":
            return None
        key = value.strip()
        return self.keys.get(key) or (self.api_user_guid if key == self.api_key else None)


def error_response(status: int, code: int, message: str) -> Response:
    response = jsonify({"code": code, "error": message, "payload": None})
    response.status_code = status
    return response


def _store() -> Store:
    return current_app.extensions["connect_local.store"]


def _config() -> ApiConfig:
    return current_app.extensions["connect_local.config"]


def _deployer() -> Deployer:
    return current_app.extensions["connect_local.deployer"]


def _faults() -> Faults:
    return current_app.extensions["connect_local.faults"]


def _tasks() -> TaskRegistry:
    return current_app.extensions["connect_local.tasks"]


def _caller() -> Visitor:
    """The user behind this request's API key (checked before every route)."""
    visitor: Visitor = g.connect_local_caller
    return visitor


def _require_role(*roles: str) -> Visitor:
    caller = _caller()
    if caller.role not in roles:
        raise ApiError(
            403,
            CODE_NOT_YOURS,
            f"{caller.username} is a {caller.role}: this needs the role {' or '.join(roles)}",
        )
    return caller


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, CODE_BAD_REQUEST, "the request body must be JSON")
    return body


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _content_json(record: Record) -> Record:
    base, guid = _base_url(), record["guid"]
    with _store().read() as state:
        vanity = state["vanities"].get(guid)
        permissions = state["permissions"].get(guid, [])
    return {
        **record,
        "content_url": f"{base}/content/{guid}/",
        "dashboard_url": f"{base}/connect/#/apps/{guid}",
        "vanity_url": f"{base}{vanity}" if vanity else None,
        "app_role": app_role(record, permissions, _caller()),
    }


def _get_content(guid: str, *, edit: bool = False) -> Record:
    """The content item, if the caller may see it (``edit``: may change it); else 404/403."""
    with _store().read() as state:
        content = state["content"].get(guid)
        permissions = state["permissions"].get(guid, [])
    if content is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} does not exist")
    caller = _caller()
    allowed = is_editor if edit else is_visible
    if not allowed(content, permissions, caller):
        action = "change" if edit else "see"
        raise ApiError(
            403,
            CODE_NOT_YOURS,
            f"{caller.username} may not {action} content {guid}: only its owner, "
            "collaborators and administrators may",
        )
    return content


def _page(items: list[Record]) -> Record:
    """Connect's paged list: ``page_number`` from 1, ``page_size`` up to 500."""
    try:
        number = max(1, int(request.args.get("page_number", 1)))
        size = min(500, max(1, int(request.args.get("page_size", 20))))
    except ValueError:
        raise ApiError(
            400, CODE_BAD_REQUEST, "page_number and page_size must be integers"
        ) from None
    start = (number - 1) * size
    return {"results": items[start : start + size], "current_page": number, "total": len(items)}


api = Blueprint("connect_api", __name__, url_prefix="/__api__")


@api.before_request
def _faults_then_key() -> Response | None:
    path = request.path[len("/__api__/") :]
    if _faults().take_unavailable(request.method, path):
        return error_response(503, CODE_INTERNAL, "service unavailable (injected fault)")
    if path.rstrip("/") == "server_settings":  # the one route Connect answers without a key
        return None
    user_guid = _config().user_for(request.headers.get("Authorization"))
    caller = visitor_by_guid(_store(), user_guid) if user_guid else None
    if caller is None or caller.is_anonymous:
        return error_response(
            401, CODE_UNAUTHENTICATED, "The requested operation requires authentication."
        )
    g.connect_local_caller = caller
    return None


# -- server and users ------------------------------------------------------------------


@api.get("/server_settings")
def server_settings() -> Response:
    return jsonify({"version": _config().version, "hostname": "connect-local", "license": {}})


@api.get("/v1/server_settings/python")
def python_settings() -> Response:
    versions = _deployer().identity.installations()
    return jsonify({"installations": [{"version": v} for v in versions], "api_enabled": True})


@api.get("/v1/user")
def current_user() -> Response:
    with _store().read() as state:
        return jsonify(state["users"][_caller().user_guid])


def _principals(table: str, name_field: str) -> Response:
    """A page of users or groups whose name starts with ``prefix`` (any case)."""
    prefix = request.args.get("prefix", "").lower()
    with _store().read() as state:
        found = [r for r in state[table].values() if r[name_field].lower().startswith(prefix)]
    return jsonify(_page(sorted(found, key=lambda r: r[name_field])))


def _principal(table: str, guid: str) -> Record:
    with _store().read() as state:
        record = state[table].get(guid)
    if record is None:
        raise ApiError(404, CODE_NOT_FOUND, f"{table[:-1]} {guid} does not exist")
    return record


@api.get("/v1/users")
def list_users() -> Response:
    return _principals("users", "username")


@api.get("/v1/users/<guid>")
def get_user(guid: str) -> Response:
    return jsonify(_principal("users", guid))


@api.get("/v1/groups")
def list_groups() -> Response:
    return _principals("groups", "name")


@api.post("/v1/groups")
def create_group() -> Response:
    caller = _require_role(*EDITOR_ROLES)
    body = _json_body()
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"name": "<group name>"}')
    if find_group(_store(), name) is not None:
        raise ApiError(409, CODE_NAME_TAKEN, f"a group named {name!r} already exists")
    group = ensure_group(_store(), name, owner_guid=caller.user_guid)
    return jsonify(group)


@api.get("/v1/groups/<guid>")
def get_group(guid: str) -> Response:
    return jsonify(_principal("groups", guid))


@api.get("/v1/groups/<guid>/members")
def group_members(guid: str) -> Response:
    _principal("groups", guid)
    return jsonify(_page(members_of(_store(), guid)))


# -- content ---------------------------------------------------------------------------


@api.get("/v1/content")
def list_content() -> Response:
    """Every item the caller can see (names are unique per owner, so ``name`` alone may
    match several): add ``owner_guid`` to get at most one."""
    caller = _caller()
    with _store().read() as state:
        items = [
            c
            for c in state["content"].values()
            if is_visible(c, state["permissions"].get(c["guid"], []), caller)
        ]
    for arg in ("name", "owner_guid"):
        if arg in request.args:
            items = [c for c in items if c.get(arg) == request.args[arg]]
    return jsonify([_content_json(c) for c in sorted(items, key=lambda c: int(c["id"]))])


def _check_name(name: object, owner_guid: str, guid: str | None = None) -> str:
    """A valid name that none of the owner's other items has (unique per owner, as on
    Connect: another user may have an item with the same name)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ApiError(
            400,
            CODE_BAD_NAME,
            "Content name must be 3 to 64 characters: letters, digits, dashes, underscores.",
        )
    with _store().read() as state:
        clash = any(
            c["name"] == name and c["owner_guid"] == owner_guid and c["guid"] != guid
            for c in state["content"].values()
        )
    if clash:
        raise ApiError(
            409, CODE_NAME_TAKEN, f"The owner already has a content item named {name!r}."
        )
    return name


@api.post("/v1/content")
def create_content() -> Response:
    owner = _require_role(*EDITOR_ROLES).user_guid or ""
    body = checked_settings(_json_body(), {}, _config().policy)
    _check_name(body.get("name"), owner)
    stamp = now_iso()
    store = _store()
    with store.change() as state:
        _check_name(body["name"], owner)  # again under the lock: two parallel creates
        content = {
            "guid": str(uuid.uuid4()),
            "id": store.next_id(),
            "name": body["name"],
            "title": None,
            "description": "",
            "access_type": _config().policy.default_access_type,
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
    return jsonify(_content_json(content))


@api.get("/v1/content/<guid>")
def get_content(guid: str) -> Response:
    return jsonify(_content_json(_get_content(guid)))


@api.patch("/v1/content/<guid>")
def update_content(guid: str) -> Response:
    current = _get_content(guid, edit=True)
    with _store().change() as state:
        updates = checked_settings(_json_body(), state["content"][guid], _config().policy)
        if "name" in updates:
            _check_name(updates["name"], current["owner_guid"], guid)
        state["content"][guid].update(updates)
        content = state["content"][guid]
    return jsonify(_content_json(content))


@api.delete("/v1/content/<guid>")
def delete_content(guid: str) -> Response:
    _get_content(guid, edit=True)
    _deployer().forget(guid)
    with _store().change() as state:
        for table in ("content", "bundles", "environment", "permissions", "vanities"):
            state[table].pop(guid, None)
    return Response(status=204)


# -- environment variables -------------------------------------------------------------


def _env_names(guid: str) -> Response:
    with _store().read() as state:
        return jsonify(sorted(state["environment"].get(guid, {})))


def _env_changes(body: Any) -> list[tuple[str, str | None]]:
    if not isinstance(body, list):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected a list of {"name": ..., "value": ...}')
    changes = []
    for item in body:
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not ENV_NAME_PATTERN.match(name):
            raise ApiError(400, CODE_BAD_REQUEST, f"invalid environment variable name {name!r}")
        if name.startswith(PROHIBITED_ENV_PREFIXES):
            raise bad_request(
                f"{name} is prohibited: Connect sets the {', '.join(PROHIBITED_ENV_PREFIXES)} "
                "variables itself; choose another name",
                CODE_PROHIBITED_ENV_NAME,
            )
        if value is not None and not isinstance(value, str):
            raise ApiError(400, CODE_BAD_REQUEST, f"the value of {name} must be a string or null")
        changes.append((name, value))
    return changes


@api.get("/v1/content/<guid>/environment")
def get_environment(guid: str) -> Response:
    _get_content(guid, edit=True)
    return _env_names(guid)


@api.route("/v1/content/<guid>/environment", methods=["PATCH", "PUT"])
def set_environment(guid: str) -> Response:
    _get_content(guid, edit=True)
    changes = _env_changes(_json_body())
    with _store().change() as state:
        env = {} if request.method == "PUT" else dict(state["environment"].get(guid, {}))
        for name, value in changes:
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        state["environment"][guid] = env
    return _env_names(guid)


# -- bundles, deploys, tasks -----------------------------------------------------------


def _upload() -> tuple[bytes, dict[str, Any], str]:
    """The archive bytes, the metadata and how they came (multipart or raw)."""
    if request.mimetype == "multipart/form-data":
        archive = request.files.get("archive")
        if archive is None:
            raise ApiError(400, CODE_BAD_REQUEST, "the multipart upload has no 'archive' part")
        try:
            metadata = json.loads(request.form.get("metadata") or "{}")
        except ValueError:
            raise ApiError(400, CODE_BAD_REQUEST, "the 'metadata' part is not JSON") from None
        return archive.read(), metadata if isinstance(metadata, dict) else {}, "multipart"
    return request.get_data(cache=False), {}, "raw"


@api.post("/v1/content/<guid>/bundles")
def upload_bundle(guid: str) -> Response:
    _get_content(guid, edit=True)
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    data, metadata, form = _upload()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            names = tar.getnames()
    except (tarfile.TarError, OSError, EOFError):
        raise ApiError(400, CODE_BAD_REQUEST, "the bundle is not a tar.gz archive") from None
    if "manifest.json" not in names:
        raise ApiError(400, CODE_BAD_REQUEST, "the bundle has no manifest.json at its root")
    store = _store()
    bundle_id = store.next_id()
    bundle_dir = store.bundle_dir(guid, bundle_id)
    bundle_dir.mkdir(parents=True)
    (bundle_dir / "bundle.tar.gz").write_bytes(data)
    bundle = {
        "id": bundle_id,
        "content_guid": guid,
        "created_time": now_iso(),
        "cluster_name": None,
        "image_name": None,
        "r_version": None,
        "py_version": None,
        "quarto_version": None,
        "active": False,
        "size": len(data),
        "metadata": metadata,
        # not in Connect: how the upload arrived, so tests can check both paths
        "x_connect_local_upload": {"form": form, "chunked": chunked},
    }
    with store.change() as state:
        state["bundles"].setdefault(guid, {})[bundle_id] = bundle
    return jsonify(bundle)


@api.get("/v1/content/<guid>/bundles")
def list_bundles(guid: str) -> Response:
    _get_content(guid, edit=True)
    with _store().read() as state:
        bundles = list(state["bundles"].get(guid, {}).values())
    return jsonify(sorted(bundles, key=lambda b: int(b["id"])))


@api.get("/v1/content/<guid>/bundles/<bundle_id>")
def get_bundle(guid: str, bundle_id: str) -> Response:
    _get_content(guid, edit=True)
    return jsonify(_bundle(guid, bundle_id))


def version_tuple(version: str) -> tuple[int, ...]:
    """``2025.06.0`` -> (2025, 6, 0); non-numeric parts end it (``2025.06.0-dev`` too)."""
    parts = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def _check_activate_known(body: Record) -> None:
    """Connect before 2025.06.0 has no drafts: it refuses the ``activate`` field."""
    version = _config().version
    if "activate" in body and version_tuple(version) < DRAFTS_SINCE:
        raise bad_request(
            f"unknown field 'activate': this Connect ({version}) deploys and activates in one "
            "step; drafts need 2025.06.0 or later"
        )


def _bundle(guid: str, bundle_id: str) -> Record:
    with _store().read() as state:
        bundle: Record | None = state["bundles"].get(guid, {}).get(bundle_id)
    if bundle is None:
        raise ApiError(404, CODE_NOT_FOUND, f"bundle {bundle_id} of {guid} does not exist")
    return bundle


@api.get("/v1/content/<guid>/bundles/<bundle_id>/download")
def download_bundle(guid: str, bundle_id: str) -> Response:
    _get_content(guid, edit=True)
    _bundle(guid, bundle_id)
    archive = _store().bundle_dir(guid, bundle_id) / "bundle.tar.gz"
    return send_file(
        archive, mimetype="application/gzip", download_name=f"bundle-{bundle_id}.tar.gz"
    )


@api.delete("/v1/content/<guid>/bundles/<bundle_id>")
def delete_bundle(guid: str, bundle_id: str) -> Response:
    _get_content(guid, edit=True)
    _bundle(guid, bundle_id)
    if not _deployer().delete_bundle(guid, bundle_id):
        raise ApiError(
            409,
            CODE_BAD_REQUEST,
            f"bundle {bundle_id} is the active bundle of {guid}: activate another one first",
        )
    return Response(status=204)


@api.post("/v1/content/<guid>/deploy")
def deploy(guid: str) -> Response:
    _get_content(guid, edit=True)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"bundle_id": ..., "activate": ...}')
    _check_activate_known(body)
    with _store().read() as state:
        bundles = state["bundles"].get(guid, {})
        requested = body.get("bundle_id")
        bundle_id = str(requested) if requested else max(bundles, key=int, default=None)
        known = bundle_id in bundles
    if not known:
        raise ApiError(404, CODE_NOT_FOUND, f"bundle {bundle_id} of {guid} does not exist")
    activate = body.get("activate", True)
    if not isinstance(activate, bool):
        raise ApiError(400, CODE_BAD_REQUEST, "activate must be true or false")
    task = _deployer().deploy(guid, str(bundle_id), activate)
    return jsonify({"task_id": task.id})


@api.get("/v1/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    task = _tasks().get(task_id)
    if task is None:
        raise ApiError(404, CODE_NOT_FOUND, f"task {task_id} does not exist")
    try:
        first = int(request.args.get("first", 0))
        wait = float(request.args.get("wait", 0))
    except ValueError:
        raise ApiError(400, CODE_BAD_REQUEST, "first and wait must be numbers") from None
    return jsonify(task.snapshot(first, wait))


# -- permissions -----------------------------------------------------------------------


def _permissions(guid: str) -> list[Record]:
    with _store().read() as state:
        return list(state["permissions"].get(guid, []))


def _check_permission(body: Any) -> Record:
    if not isinstance(body, dict):
        raise ApiError(400, CODE_BAD_REQUEST, "expected a JSON object")
    kind, role, principal = body.get("principal_type"), body.get("role"), body.get("principal_guid")
    if kind not in ("user", "group"):
        raise ApiError(400, CODE_BAD_REQUEST, "principal_type must be 'user' or 'group'")
    if role not in ("viewer", "owner"):
        raise ApiError(400, CODE_BAD_REQUEST, "role must be 'viewer' or 'owner'")
    with _store().read() as state:
        record = state["users" if kind == "user" else "groups"].get(principal)
    if record is None:
        raise ApiError(404, CODE_NOT_FOUND, f"{kind} {principal} does not exist")
    if kind == "user" and role == "owner" and record["user_role"] not in EDITOR_ROLES:
        raise ApiError(
            400,
            CODE_BAD_REQUEST,
            f"{record['username']} is a {record['user_role']}: collaborators (role 'owner') "
            "must be publishers or administrators",
        )
    return {"principal_guid": principal, "principal_type": kind, "role": role}


@api.get("/v1/content/<guid>/permissions")
def list_permissions(guid: str) -> Response:
    _get_content(guid)
    return jsonify(_permissions(guid))


@api.post("/v1/content/<guid>/permissions")
def add_permission(guid: str) -> Response:
    _get_content(guid, edit=True)
    fields = _check_permission(_json_body())
    store = _store()
    with store.change() as state:
        existing = state["permissions"].setdefault(guid, [])
        if any(p["principal_guid"] == fields["principal_guid"] for p in existing):
            raise ApiError(409, CODE_NAME_TAKEN, "this principal already has a permission here")
        permission = {"id": store.next_id(), "content_guid": guid, **fields}
        existing.append(permission)
    return jsonify(permission)


def _find_permission(guid: str, permission_id: str) -> Record:
    found = next((p for p in _permissions(guid) if p["id"] == permission_id), None)
    if found is None:
        raise ApiError(404, CODE_NOT_FOUND, f"permission {permission_id} does not exist")
    return found


@api.get("/v1/content/<guid>/permissions/<permission_id>")
def get_permission(guid: str, permission_id: str) -> Response:
    _get_content(guid)
    return jsonify(_find_permission(guid, permission_id))


@api.put("/v1/content/<guid>/permissions/<permission_id>")
def update_permission(guid: str, permission_id: str) -> Response:
    _get_content(guid, edit=True)
    _find_permission(guid, permission_id)
    fields = _check_permission(_json_body())
    with _store().change() as state:
        for permission in state["permissions"][guid]:
            if permission["id"] == permission_id:
                permission.update(fields)
                return jsonify(permission)
    raise ApiError(404, CODE_NOT_FOUND, f"permission {permission_id} does not exist")


@api.delete("/v1/content/<guid>/permissions/<permission_id>")
def delete_permission(guid: str, permission_id: str) -> Response:
    _get_content(guid, edit=True)
    _find_permission(guid, permission_id)
    with _store().change() as state:
        state["permissions"][guid] = [
            p for p in state["permissions"][guid] if p["id"] != permission_id
        ]
    return Response(status=204)


# -- vanity URLs -----------------------------------------------------------------------


def _vanity_json(guid: str, path: str) -> Record:
    return {"content_guid": guid, "path": path, "created_time": now_iso()}


@api.get("/v1/content/<guid>/vanity")
def get_vanity(guid: str) -> Response:
    _get_content(guid)
    with _store().read() as state:
        path = state["vanities"].get(guid)
    if path is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no vanity URL")
    return jsonify(_vanity_json(guid, path))


def vanity_path_from_body(body: Any) -> str:
    try:
        return normalise_vanity(body.get("path") if isinstance(body, dict) else None)
    except InvalidVanity as error:
        raise ApiError(400, CODE_BAD_REQUEST, str(error)) from None


@api.put("/v1/content/<guid>/vanity")
def set_vanity(guid: str) -> Response:
    _get_content(guid, edit=True)
    body = _json_body()
    path = vanity_path_from_body(body)
    force = bool(body.get("force")) if isinstance(body, dict) else False
    with _store().change() as state:
        for other, other_path in list(state["vanities"].items()):
            if other == guid:
                continue
            if other_path == path and force:
                del state["vanities"][other]
            elif other_path.startswith(path) or path.startswith(other_path):
                raise ApiError(
                    409,
                    CODE_NAME_TAKEN,
                    f"vanity path {path!r} overlaps {other_path!r} (no nesting)",
                )
        state["vanities"][guid] = path
    return jsonify(_vanity_json(guid, path))


@api.delete("/v1/content/<guid>/vanity")
def delete_vanity(guid: str) -> Response:
    _get_content(guid, edit=True)
    with _store().change() as state:
        state["vanities"].pop(guid, None)
    return Response(status=204)


@api.get("/v1/vanities")
def list_vanities() -> Response:
    with _store().read() as state:
        items = [_vanity_json(g, p) for g, p in state["vanities"].items()]
    return jsonify(items)


# -- fault injection -------------------------------------------------------------------

faults_api = Blueprint("connect_local_faults", __name__, url_prefix="/__faults__")


@faults_api.before_request
def _faults_need_key() -> Response | None:
    key_user = _config().user_for(request.headers.get("Authorization"))
    if key_user != _config().api_user_guid:
        return error_response(401, CODE_UNAUTHENTICATED, "fault injection needs the API key")
    return None


@faults_api.get("/")
def show_faults() -> Response:
    return jsonify(_faults().describe())


@faults_api.delete("/")
def clear_faults() -> Response:
    _faults().clear()
    return jsonify(_faults().describe())


@faults_api.post("/unavailable")
def add_unavailable() -> Response:
    body = _json_body()
    if not isinstance(body, dict) or not isinstance(body.get("path"), str):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"path": "v1/content/*", "count": 1}')
    rule = Unavailable(
        path=body["path"], method=str(body.get("method", "*")), count=int(body.get("count", 1))
    )
    _faults().add_unavailable(rule)
    return jsonify(_faults().describe())


@faults_api.post("/task_delay")
def set_task_delay() -> Response:
    body = _json_body()
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, int | float) or seconds < 0:
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"seconds": <number >= 0>}')
    _faults().task_delay_s = float(seconds)
    return jsonify(_faults().describe())


@faults_api.post("/failing_builds")
def set_failing_builds() -> Response:
    body = _json_body()
    count = body.get("count", 1) if isinstance(body, dict) else None
    if not isinstance(count, int) or count < 0:
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"count": <int >= 0>, "message": "..."}')
    _faults().failing_builds = count
    if isinstance(body.get("message"), str):
        _faults().build_failure_message = body["message"]
    return jsonify(_faults().describe())


def install(
    app: Flask,
    *,
    store: Store,
    config: ApiConfig,
    deployer: Deployer,
    faults: Faults,
    tasks: TaskRegistry,
) -> None:
    """Attach the API and the fault endpoints to ``app``."""
    app.extensions.update(
        {
            "connect_local.store": store,
            "connect_local.config": config,
            "connect_local.deployer": deployer,
            "connect_local.faults": faults,
            "connect_local.tasks": tasks,
        }
    )
    app.register_blueprint(api)
    app.register_blueprint(faults_api)

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _unknown_route(error: Any) -> Response | Any:
        if request.path.startswith(("/__api__", "/__faults__")):
            return error_response(
                getattr(error, "code", 404),
                CODE_UNSUPPORTED,
                f"{request.method} {request.path} is not supported by connect-local",
            )
        return error

    @app.errorhandler(500)
    def _internal(error: Any) -> Response | Any:
        if request.path.startswith(("/__api__", "/__faults__")):
            return error_response(500, CODE_INTERNAL, f"internal error in connect-local: {error}")
        return error


def visitor_from_key(store: Store, config: ApiConfig, authorization: str | None) -> Visitor | None:
    """The user whose API key ``authorization`` carries; None for no (valid) key."""
    user_guid = config.user_for(authorization)
    return visitor_by_guid(store, user_guid) if user_guid else None
