"""Keyless deploys: trade an OIDC identity token for a short-lived Connect API key.

Given ``CONNECT_IDENTITY_TOKEN`` (the token) or ``CONNECT_IDENTITY_TOKEN_FILE``
(a file holding it: the names rsconnect's ``login`` reads), the run first asks
the server whether it serves the exchange (RFC 8414 metadata listing the
token-exchange grant), then exchanges the token with rsconnect's own client
(``rsconnect.oauth.exchange_token_for_api_key``, RFC 8693) and uses the key it
gets for everything: rsconnect subprocesses and posit-sdk alike. A server
without the exchange is told apart from a refused token: the run then uses
``CONNECT_API_KEY`` if it is set, and says so.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

TOKEN_ENV, TOKEN_FILE_ENV = "CONNECT_IDENTITY_TOKEN", "CONNECT_IDENTITY_TOKEN_FILE"
METADATA_PATH = "/.well-known/oauth-authorization-server"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
DISCOVERY_TIMEOUT_S = 30.0


class KeylessError(ValueError):
    """The identity token is unusable or refused; the message says which and what to do."""


def identity_token(environ: Mapping[str, str]) -> str | None:
    """The identity token the environment gives, None when it gives none."""
    inline = environ.get(TOKEN_ENV, "").strip()
    path = environ.get(TOKEN_FILE_ENV, "").strip()
    if inline and path:
        raise KeylessError(f"both {TOKEN_ENV} and {TOKEN_FILE_ENV} are set; set one of them")
    if path:
        try:
            inline = Path(path).read_text().strip()
        except OSError as error:
            raise KeylessError(f"{TOKEN_FILE_ENV}={path!r} cannot be read ({error})") from None
        if not inline:
            raise KeylessError(f"{TOKEN_FILE_ENV}={path!r} is empty")
    return inline or None


def offers_exchange(url: str) -> bool:
    """Whether ``url`` serves the token exchange (its OAuth metadata lists the grant).

    No metadata (404), or metadata without the grant: False. A server that cannot
    be reached is a KeylessError, not a server without the exchange."""
    request = urllib.request.Request(url + METADATA_PATH, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=DISCOVERY_TIMEOUT_S) as response:
            metadata = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        if error.code in (404, 405, 501):
            return False
        raise KeylessError(
            f"{url}{METADATA_PATH} answered HTTP {error.code}: cannot tell whether the "
            "server has the token exchange; try again, or deploy with CONNECT_API_KEY"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise KeylessError(f"cannot reach {url} to exchange the identity token ({error})") from None
    if not isinstance(metadata, dict) or not metadata.get("token_endpoint"):
        return False
    grants = metadata.get("grant_types_supported")
    return isinstance(grants, list) and TOKEN_EXCHANGE_GRANT in grants


def exchanged_key(url: str, token: str) -> str:
    """A short-lived API key for ``token``, through rsconnect's client; KeylessError if refused."""
    from rsconnect.exception import RSConnectException
    from rsconnect.oauth import exchange_token_for_api_key

    try:
        return exchange_token_for_api_key(url, token)
    except RSConnectException as error:
        raise KeylessError(f"the identity token was refused: {error}") from None


def key_for(
    url: str, environ: Mapping[str, str], fallback_key: str, say: Callable[[str], None]
) -> str | None:
    """The key to deploy with when an identity token is given (None when none is)."""
    token = identity_token(environ)
    if token is None:
        return None
    if offers_exchange(url):
        key = exchanged_key(url, token)
        say(f"keyless: exchanged the identity token for a short-lived key at {url}")
        return key
    if fallback_key:
        say(
            f"warning: {url} has no OIDC token exchange (no {METADATA_PATH} listing it): "
            "falling back to CONNECT_API_KEY"
        )
        return fallback_key
    raise KeylessError(
        f"{url} has no OIDC token exchange (no {METADATA_PATH} listing it) and "
        "CONNECT_API_KEY is not set: upgrade Connect, or deploy with an API key "
        "(docs/security.md, 'Falling back to an API key')"
    )
