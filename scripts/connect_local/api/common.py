"""What every API route shares: the blueprint, the caller behind the key, the
stand-in's parts, JSON bodies, pages of results, and the content the caller may use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from scripts.connect_local.access import is_editor, is_visible
from scripts.connect_local.content_settings import Policy
from scripts.connect_local.deployer import Deployer
from scripts.connect_local.directory import Principal, is_locked, now_iso, visitor_by_guid
from scripts.connect_local.errors import (
    CODE_BAD_REQUEST,
    CODE_INTERNAL,
    CODE_INVALID_ID,
    CODE_NOT_FOUND,
    CODE_NOT_YOURS,
    CODE_REQUIRES_AUTHENTICATION,
    CODE_UNAUTHENTICATED,
    CODE_UNPARSEABLE_BODY,
    CODE_UNSUPPORTED,
    CODE_USER_LOCKED,
    ApiError,
    refusal,
)
from scripts.connect_local.faults import Faults
from scripts.connect_local.oauth_tokens import TokenMint
from scripts.connect_local.store import Record, Store
from scripts.connect_local.tasks import TaskRegistry

GUID_PATTERN = re.compile(r"^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$", re.IGNORECASE)


@dataclass
class ApiConfig:
    """Settings the API answers with."""

    api_key: str  # the default publisher's key (--api-key)
    api_user_guid: str
    version: str
    policy: Policy = field(default_factory=Policy)
    keys: dict[str, str] = field(default_factory=dict)  # every API key -> its user's guid
    mint: TokenMint = field(default_factory=TokenMint)  # content and visitor keys, tokens

    def user_for(self, authorization: str | None) -> str | None:
        """The guid of the user whose key ``Authorization: Key <key>`` carries."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "key":
            return None
        key = value.strip()
        if key in self.keys or key == self.api_key:
            return self.keys.get(key) or self.api_user_guid
        return self.mint.user_of(key)


def visitor_from_key(
    store: Store, config: ApiConfig, authorization: str | None
) -> Principal | None:
    """The user whose API key ``authorization`` carries; None for no (valid) key."""
    user_guid = config.user_for(authorization)
    return visitor_by_guid(store, user_guid) if user_guid else None


def error_response(status: int, code: int, message: str) -> Response:
    response = jsonify({"code": code, "error": message, "payload": None})
    response.status_code = status
    return response


def current_store() -> Store:
    return current_app.extensions["connect_local.store"]


def current_config() -> ApiConfig:
    return current_app.extensions["connect_local.config"]


def current_deployer() -> Deployer:
    return current_app.extensions["connect_local.deployer"]


def current_faults() -> Faults:
    return current_app.extensions["connect_local.faults"]


def current_tasks() -> TaskRegistry:
    return current_app.extensions["connect_local.tasks"]


def current_caller() -> Principal:
    """The user behind this request's API key (checked before every route)."""
    visitor: Principal = g.connect_local_caller
    return visitor


def require_role(*roles: str) -> Principal:
    caller = current_caller()
    if caller.role not in roles:
        raise ApiError(
            403,
            CODE_NOT_YOURS,
            f"{caller.username} is a {caller.role}: this needs the role {' or '.join(roles)}",
        )
    return caller


def version_tuple(version: str) -> tuple[int, ...]:
    """``2025.06.0`` -> (2025, 6, 0); non-numeric parts end it (``2025.06.0-dev`` too)."""
    parts = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def require_version(since: str) -> None:
    """An endpoint newer than the version the stand-in claims: Connect's 404 code 2."""
    version = current_config().version
    if version_tuple(version) < version_tuple(since):
        raise refusal(
            CODE_UNSUPPORTED,
            f"{request.method} {request.path} needs Connect {since} or later (this is {version})",
        )


def json_body() -> Any:
    body = request.get_json(force=True, silent=True)  # whatever the Content-Type says
    if body is None:
        raise refusal(CODE_UNPARSEABLE_BODY, "the request body must be JSON")
    return body


def change_record(table: str, key: str, fields: Record) -> Record:
    """Apply checked ``fields`` to one stored record, stamping ``updated_time``."""
    with current_store().change() as state:
        record: Record = state[table][key]
        record.update(fields, updated_time=now_iso())
        return dict(record)


def base_url() -> str:
    return request.host_url.rstrip("/")


def content_for(guid: str, *, edit: bool = False) -> Record:
    """The content item, if the caller may see it (``edit``: may change it); else 404/403."""
    if not GUID_PATTERN.match(guid):
        raise refusal(CODE_INVALID_ID, f"{guid!r} is not a content GUID")
    with current_store().read() as state:
        content = state["content"].get(guid)
        permissions = state["permissions"].get(guid, [])
    if content is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} does not exist")
    caller = current_caller()
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


def paged(items: list[Record]) -> Record:
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


def api_blueprint(resources: Iterable[Blueprint]) -> Blueprint:
    """``/__api__`` with the fault and key check in front of every resource's routes."""
    api = Blueprint("connect_api", __name__, url_prefix="/__api__")
    api.before_request(_faults_then_key)
    for routes in resources:
        api.register_blueprint(routes)
    return api


def _faults_then_key() -> Response | None:
    path = request.path[len("/__api__/") :]
    if current_faults().take_unavailable(request.method, path):
        return error_response(503, CODE_INTERNAL, "service unavailable (injected fault)")
    if path.rstrip("/") == "server_settings":  # the one route Connect answers without a key
        return None
    authorization = request.headers.get("Authorization")
    if not authorization:
        return error_response(
            401, CODE_REQUIRES_AUTHENTICATION, "The requested operation requires authentication."
        )
    caller = visitor_from_key(current_store(), current_config(), authorization)
    if caller is None or caller.is_anonymous:
        return error_response(
            401,
            CODE_UNAUTHENTICATED,
            "We couldn't log you in with the provided credentials (unknown API key).",
        )
    if is_locked(current_store(), caller.user_guid):
        return error_response(403, CODE_USER_LOCKED, f"{caller.username} is locked.")
    g.connect_local_caller = caller
    return None
