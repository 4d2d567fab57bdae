"""OAuth integrations: the list, content associations, and the credentials exchange.

- ``GET v1/oauth/integrations`` (and ``/{guid}``): publishers and administrators.
  The integrations come from ``--oauth-integration`` (default: one "Connect API"
  integration, template ``connect``, auth type "Visitor API Key").
- ``GET/PUT v1/content/{guid}/oauth/integrations/associations``: read by whoever
  sees the content, replaced (``[{"oauth_integration_guid"}]``) by its editors.
- ``POST v1/oauth/integrations/credentials`` (form-encoded, RFC 8693): the
  content's own ``CONNECT_API_KEY`` trades a visitor's user session token for
  that visitor's credentials. Refused (400) when the token is forged, expired,
  minted for another content item, when the content has access ``all``, is not
  associated (or ``audience`` names no association), or the grant or token
  types are wrong; any other key than a content's own: 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import EDITOR_ROLES, Decision, decide
from scripts.connect_local.api.common import (
    content_for,
    current_config,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.directory import now_iso, visitor_by_guid
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NOT_FOUND, CODE_NOT_YOURS, ApiError
from scripts.connect_local.oauth_tokens import TokenRefused
from scripts.connect_local.store import Record, Store

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
USER_SESSION_TOKEN = "urn:posit:connect:user-session-token"
CONTENT_SESSION_TOKEN = "urn:posit:connect:content-session-token"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
API_KEY = "urn:posit:connect:api-key"
CONNECT_TEMPLATE = "connect"
# posit-sdk's OAuthIntegrationType values: the templates Connect offers.
TEMPLATES = (
    "aws",
    "azure",
    "azure-openai",
    "connect",
    "custom",
    "databricks",
    "github",
    "bigquery",
    "drive",
    "sheets",
    "vertex-ai",
    "msgraph",
    "salesforce",
    "sharepoint",
    "snowflake",
)
DEFAULT_INTEGRATIONS = (("Connect API", CONNECT_TEMPLATE),)

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("oauth", __name__)


def auth_type(template: str) -> str:
    """The "Connect API" integration hands out visitor keys; the others act as the viewer."""
    return "Visitor API Key" if template == CONNECT_TEMPLATE else "Viewer"


def ensure_integrations(store: Store, specs: Iterable[tuple[str, str]]) -> None:
    """Create each (name, template) integration the state does not have yet."""
    with store.change() as state:
        known = {(i["name"], i["template"]) for i in state["oauth_integrations"].values()}
        for name, template in specs:
            if (name, template) in known:
                continue
            stamp, guid = now_iso(), str(uuid.uuid4())
            state["oauth_integrations"][guid] = {
                "guid": guid,
                "name": name,
                "description": f"{name} (connect-local)",
                "template": template,
                "auth_type": auth_type(template),
                "config": {},
                "created_time": stamp,
                "updated_time": stamp,
            }


@routes.get("/v1/oauth/integrations")
def list_integrations() -> Response:
    require_role(*EDITOR_ROLES)
    with current_store().read() as state:
        return jsonify(sorted(state["oauth_integrations"].values(), key=lambda i: i["name"]))


@routes.get("/v1/oauth/integrations/<guid>")
def get_integration(guid: str) -> Response:
    require_role(*EDITOR_ROLES)
    return jsonify(find_integration(guid))


def find_integration(guid: str) -> Record:
    with current_store().read() as state:
        integration = state["oauth_integrations"].get(guid)
    if integration is None:
        raise ApiError(404, CODE_NOT_FOUND, f"OAuth integration {guid} does not exist")
    return integration


def association_json(content_guid: str, integration: Record) -> Record:
    return {
        "app_guid": content_guid,
        "oauth_integration_guid": integration["guid"],
        "oauth_integration_name": integration["name"],
        "oauth_integration_description": integration["description"],
        "oauth_integration_template": integration["template"],
        "oauth_integration_auth_type": integration["auth_type"],
        "created_time": integration["created_time"],
    }


def associated(content_guid: str) -> list[Record]:
    """The integrations associated with a content item."""
    with current_store().read() as state:
        guids = state["oauth_associations"].get(content_guid, [])
        return [state["oauth_integrations"][g] for g in guids]


@routes.get("/v1/content/<guid>/oauth/integrations/associations")
def get_associations(guid: str) -> Response:
    content_for(guid)
    return jsonify([association_json(guid, i) for i in associated(guid)])


@routes.put("/v1/content/<guid>/oauth/integrations/associations")
def set_associations(guid: str) -> Response:
    content_for(guid, edit=True)
    body = json_body()
    if not isinstance(body, list) or not all(
        isinstance(a, dict) and isinstance(a.get("oauth_integration_guid"), str) for a in body
    ):
        raise ApiError(
            400, CODE_BAD_REQUEST, 'expected a list of {"oauth_integration_guid": "<guid>"}'
        )
    wanted = list(dict.fromkeys(a["oauth_integration_guid"] for a in body))
    for integration_guid in wanted:
        find_integration(integration_guid)
    with current_store().change() as state:
        if wanted:
            state["oauth_associations"][guid] = wanted
        else:
            state["oauth_associations"].pop(guid, None)
    return Response(status=204)


def _refuse(message: str) -> ApiError:
    return ApiError(400, CODE_BAD_REQUEST, f"credentials exchange refused: {message}")


def _form_field(name: str, allowed: Iterable[str] | None = None) -> str:
    value = request.form.get(name, "")
    if allowed is not None and value and value not in allowed:
        raise _refuse(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


def _audience(content_guid: str, audience: str) -> Record:
    integrations = associated(content_guid)
    if not integrations:
        raise _refuse(f"content {content_guid} is not associated with an OAuth integration")
    if audience:
        match = [i for i in integrations if i["guid"] == audience]
        if not match:
            raise _refuse(f"audience {audience} is not an integration of content {content_guid}")
        return match[0]
    if len(integrations) > 1:
        raise _refuse("several integrations are associated: name one as the audience")
    return integrations[0]


@routes.post("/v1/oauth/integrations/credentials")
def exchange_credentials() -> Response:
    config = current_config()
    _, _, key = request.headers.get("Authorization", "").partition(" ")
    caller_content = config.mint.content_of(key.strip())
    if caller_content is None:
        raise ApiError(
            403,
            CODE_NOT_YOURS,
            "the credentials exchange takes the content's own CONNECT_API_KEY",
        )
    if _form_field("grant_type") != GRANT_TYPE:
        raise _refuse(f"grant_type must be {GRANT_TYPE}")
    subject_type = _form_field("subject_token_type", (USER_SESSION_TOKEN, CONTENT_SESSION_TOKEN))
    if subject_type != USER_SESSION_TOKEN:
        raise _refuse(f"subject_token_type must be {USER_SESSION_TOKEN} (connect-local)")
    requested = _form_field("requested_token_type", (ACCESS_TOKEN, API_KEY)) or ACCESS_TOKEN
    guid = caller_content.content_guid
    with current_store().read() as state:
        content = state["content"].get(guid)
        permissions = state["permissions"].get(guid, [])
    if content is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} does not exist")
    integration = _audience(guid, _form_field("audience"))
    if content.get("access_type") == "all":
        raise _refuse(
            "content with access type 'all' cannot use viewer OAuth integrations "
            "(an anonymous visitor has no session)"
        )
    try:
        claims = config.mint.check_session_token(_form_field("subject_token"))
    except TokenRefused as error:
        raise _refuse(str(error)) from None
    if claims.content_guid != guid:
        raise _refuse("the subject_token was issued for another content item")
    visitor = visitor_by_guid(current_store(), claims.user_guid)
    if decide(content, permissions, visitor) is not Decision.ALLOW:
        raise _refuse(f"{visitor.username} may no longer view content {guid}")
    return jsonify(_credentials(integration, requested, claims.user_guid, claims.expires_at))


def _credentials(integration: Record, requested: str, user_guid: str, expires_at: int) -> Record:
    """A visitor API key for the "Connect API" integration; an opaque token otherwise."""
    mint = current_config().mint
    if integration["template"] == CONNECT_TEMPLATE:
        if requested != API_KEY:
            raise _refuse(f"the Connect API integration issues {API_KEY} only")
        key = mint.visitor_key(user_guid, expires_at)
        return {"access_token": key, "issued_token_type": API_KEY, "token_type": "Key"}
    if requested != ACCESS_TOKEN:
        raise _refuse(f"integration {integration['name']!r} issues {ACCESS_TOKEN} only")
    token = mint.sign({"sub": user_guid, "aud": integration["guid"], "exp": expires_at})
    return {"access_token": token, "issued_token_type": ACCESS_TOKEN, "token_type": "Bearer"}
