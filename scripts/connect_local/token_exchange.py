"""The OIDC token exchange: an identity token in, a short-lived API key out.

What rsconnect-python 1.32 sends and expects (``rsconnect/oauth.py``,
``exchange_token_for_api_key``): ``GET /.well-known/oauth-authorization-server``
(RFC 8414) with ``token_endpoint`` and ``grant_types_supported`` holding the
token-exchange grant; then a form ``POST`` to that endpoint (RFC 8693) with
``grant_type``, ``subject_token_type = ...:id_token``, ``requested_token_type =
...:access_token`` and ``subject_token``, no client authentication; the key is
``access_token`` in a 2xx answer. A refusal is RFC 6749's error body,
``{"error": "invalid_grant", "error_description": ...}``, status 400: rsconnect
says "could not verify" when the description holds "verif", "ambiguous" for
several matches, and "did not grant access" otherwise.

Served only when the stand-in is started with ``--identity-trust``: without it
the metadata answers 404, as a Connect without the exchange does.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from scripts.connect_local.directory import ensure_user, find_user
from scripts.connect_local.identity_trust import IdentityRefused, IdentityTrust
from scripts.connect_local.oauth_tokens import TokenMint
from scripts.connect_local.store import Store

METADATA_PATH = "/.well-known/oauth-authorization-server"
TOKEN_PATH = "/__oauth__/token"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"

routes = Blueprint("connect_local_token_exchange", __name__)


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _parts() -> tuple[IdentityTrust | None, TokenMint, Store]:
    extension = current_app.extensions["connect_local.token_exchange"]
    return extension["trust"], extension["mint"], extension["store"]


@routes.get(METADATA_PATH)
def metadata() -> Response:
    trust, _, _ = _parts()
    if trust is None:
        return _oauth_error("not_found", "this server has no OAuth authorization server", 404)
    base = request.host_url.rstrip("/")
    return jsonify(
        {
            "issuer": base,
            "token_endpoint": base + TOKEN_PATH,
            "grant_types_supported": [TOKEN_EXCHANGE_GRANT],
            "token_endpoint_auth_methods_supported": ["none"],
        }
    )


@routes.post(TOKEN_PATH)
def exchange() -> Response:
    trust, mint, store = _parts()
    if trust is None:
        return _oauth_error("not_found", "this server has no OAuth authorization server", 404)
    form = request.form
    if form.get("grant_type") != TOKEN_EXCHANGE_GRANT:
        return _oauth_error("unsupported_grant_type", f"grant_type must be {TOKEN_EXCHANGE_GRANT}")
    if form.get("subject_token_type") != ID_TOKEN_TYPE:
        return _oauth_error("invalid_request", f"subject_token_type must be {ID_TOKEN_TYPE}")
    if form.get("requested_token_type", ACCESS_TOKEN_TYPE) != ACCESS_TOKEN_TYPE:
        return _oauth_error("invalid_target", f"requested_token_type must be {ACCESS_TOKEN_TYPE}")
    token = form.get("subject_token", "")
    if not token:
        return _oauth_error("invalid_request", "subject_token is missing")
    try:
        grant = trust.grant(token)
    except IdentityRefused as refused:
        return _oauth_error("invalid_grant", str(refused))
    account = find_user(store, grant.service_account)
    if account is None or account.get("locked"):
        why = f"service account {grant.service_account} is missing or locked"
        return _oauth_error("invalid_grant", why)
    expires_at = mint.clock() + trust.key_ttl_s
    key = mint.visitor_key(account["guid"], expires_at)
    print(
        f"token exchange: {grant.subject} -> {grant.service_account} "
        f"(key valid {trust.key_ttl_s} s)",
        flush=True,
    )
    response = jsonify(
        {
            "access_token": key,
            "issued_token_type": ACCESS_TOKEN_TYPE,
            "token_type": "Key",  # sent as "Authorization: Key <access_token>"
            "expires_in": trust.key_ttl_s,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask, *, trust: IdentityTrust | None, mint: TokenMint, store: Store) -> None:
    """Serve the metadata and the exchange; each rule's service account is a publisher."""
    for account in trust.service_accounts if trust else ():
        ensure_user(store, account, "publisher")
    app.extensions["connect_local.token_exchange"] = {"trust": trust, "mint": mint, "store": store}
    app.register_blueprint(routes)
