"""What administrators do with OAuth integrations, and the OAuth sessions.

- ``POST v1/oauth/integrations {"name", "template", "description", "config"}``,
  ``PATCH`` and ``DELETE v1/oauth/integrations/{guid}``: administrators only
  (others 403), as Connect's API reference says. The template must be one
  Connect offers (``oauth.TEMPLATES``); the stand-in keeps ``config`` as given
  and never calls the provider. Deleting an integration drops its associations.
- ``GET v1/oauth/integrations/{guid}/associations``: administrators only.
- ``GET v1/oauth/sessions`` (and ``/{guid}``, ``DELETE``): nobody signs in to an
  OAuth provider here, so there are none: the list is empty, one session 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify

from scripts.connect_local.api.common import (
    change_record,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.api.oauth import (
    TEMPLATES,
    association_json,
    auth_type,
    find_integration,
)
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NOT_FOUND, ApiError, refusal
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("oauth_admin", __name__)

TEXT_FIELDS = ("name", "description")


def _checked(body: Any, *, creating: bool) -> Record:
    """The fields of a new or changed integration; a refusal names the bad one."""
    if not isinstance(body, dict):
        raise refusal(CODE_BAD_REQUEST, "expected a JSON object")
    allowed = {*TEXT_FIELDS, "config", *(("template",) if creating else ())}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise refusal(
            CODE_BAD_REQUEST,
            f"unknown fields {', '.join(unknown)}; expected {', '.join(sorted(allowed))}",
        )
    if creating and not (isinstance(body.get("name"), str) and body["name"].strip()):
        raise refusal(CODE_BAD_REQUEST, "an OAuth integration needs a name")
    if creating and body.get("template") not in TEMPLATES:
        raise refusal(
            CODE_BAD_REQUEST,
            f"template {body.get('template')!r} is not one of {', '.join(TEMPLATES)}",
        )
    for field in TEXT_FIELDS:
        if field in body and not isinstance(body[field], str):
            raise refusal(CODE_BAD_REQUEST, f"{field} must be a string")
    if "config" in body and not isinstance(body["config"], dict):
        raise refusal(CODE_BAD_REQUEST, "config must be a JSON object")
    return dict(body)


@routes.post("/v1/oauth/integrations")
def create_integration() -> Response:
    require_role("administrator")
    fields = _checked(json_body(), creating=True)
    stamp, guid = now_iso(), str(uuid.uuid4())
    integration = {
        "guid": guid,
        "name": fields["name"],
        "description": fields.get("description", ""),
        "template": fields["template"],
        "auth_type": auth_type(fields["template"]),
        "config": fields.get("config", {}),
        "created_time": stamp,
        "updated_time": stamp,
    }
    with current_store().change() as state:
        state["oauth_integrations"][guid] = integration
    return jsonify(integration)


@routes.patch("/v1/oauth/integrations/<guid>")
def update_integration(guid: str) -> Response:
    require_role("administrator")
    find_integration(guid)
    fields = _checked(json_body(), creating=False)
    return jsonify(change_record("oauth_integrations", guid, fields))


@routes.delete("/v1/oauth/integrations/<guid>")
def delete_integration(guid: str) -> Response:
    require_role("administrator")
    find_integration(guid)
    with current_store().change() as state:
        del state["oauth_integrations"][guid]
        for content_guid, guids in list(state["oauth_associations"].items()):
            kept = [g for g in guids if g != guid]
            if kept:
                state["oauth_associations"][content_guid] = kept
            else:
                del state["oauth_associations"][content_guid]
    return Response(status=204)


@routes.get("/v1/oauth/integrations/<guid>/associations")
def integration_associations(guid: str) -> Response:
    require_role("administrator")
    integration = find_integration(guid)
    with current_store().read() as state:
        content = sorted(g for g, ids in state["oauth_associations"].items() if guid in ids)
    return jsonify([association_json(content_guid, integration) for content_guid in content])


@routes.get("/v1/oauth/sessions")
def list_sessions() -> Response:
    return jsonify([])


@routes.route("/v1/oauth/sessions/<guid>", methods=["GET", "DELETE"])
def one_session(guid: str) -> Response:
    raise ApiError(404, CODE_NOT_FOUND, f"OAuth session {guid} does not exist")
