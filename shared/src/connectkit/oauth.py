"""Acting as the visitor: Connect's OAuth session-token exchange.

For content associated with an OAuth integration, Connect's proxy adds
``Posit-Connect-User-Session-Token`` to each request of a signed-in visitor.
The app trades it, with its own ``CONNECT_API_KEY``, for a short-lived key of
that visitor (``POST /__api__/v1/oauth/integrations/credentials``; for the
"Connect API" integration posit-sdk's ``Client.with_user_session_token``
does it, Connect 2025.01+), then reads the Connect API with the visitor's
rights instead of the publisher's.

- ``exchange``: the exchange itself, one call to posit-sdk.
- ``VisitorClients``: the visitor's client for the request being served,
  cached for the session token's life (keyed by a hash of the token: a
  token never names anyone but the one Connect vouched for).
- ``VisitorAccessError``: why there is no visitor client, in
  words a page can show (``VisitorAccessReason``): not signed in, no session token, not on Connect,
  refused, unreachable, server too old.

The header is read only where connectkit believes Connect's headers
(``connectkit.trust``). The token and the exchanged key never reach a log
line, an exception message or the page. posit-sdk is imported on the first
exchange, never when connectkit is imported.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import flask

from connectkit.connect_api import content_api_location, make_client, with_timeout
from connectkit.identity import connect_headers_trusted, current_visitor

SESSION_TOKEN_HEADER = "Posit-Connect-User-Session-Token"
ENVIRON_KEY = "HTTP_POSIT_CONNECT_USER_SESSION_TOKEN"  # the same header in the WSGI environ
# A JWT: three base64url parts. Anything else is not sent to the server at all.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
MAX_TOKEN_BYTES = 8 * 1024

logger = logging.getLogger(__name__)


class VisitorAccessReason(Enum):
    """Why a request has no visitor client."""

    NOT_SIGNED_IN = "not-signed-in"  # an anonymous visitor: Connect gives no session
    NO_SESSION_TOKEN = "no-session-token"  # signed in, but Connect sent no token
    NOT_ON_CONNECT = "not-on-connect"  # headers not trusted here, or no CONNECT_SERVER/KEY
    REFUSED = "refused"  # Connect refused the exchange (forged, expired, not associated...)
    UNREACHABLE = "unreachable"  # no answer from the Connect API
    SERVER_TOO_OLD = "server-too-old"  # the exchange needs a newer Connect


# The one wording for a Connect API that did not answer, whichever call it was.
NO_ANSWER = "the Connect API did not answer in time"


class VisitorAccessError(Exception):
    """No client acting as the visitor; ``message`` says why in plain words (never a token)."""

    def __init__(self, reason: VisitorAccessReason, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message

    @classmethod
    def unreachable(cls) -> VisitorAccessError:
        """The Connect API did not answer (a timeout, a refused or remembered connection)."""
        return cls(VisitorAccessReason.UNREACHABLE, NO_ANSWER)


@dataclass(frozen=True)
class OAuthSettings:
    """Where the Connect API is, the content's own key, and how long to trust a client."""

    server: str = ""
    api_key: str = ""  # the content's CONNECT_API_KEY: it authenticates the exchange
    # Per connect/read of each API call. With a hung server remembered (connect_api),
    # a page load waits one such timeout at most: its sentence shows within 5 s.
    timeout_s: float = 3.0
    max_life_s: float = 3600.0  # a visitor client is never kept longer than this
    max_entries: int = 1024

    @property
    def configured(self) -> bool:
        return bool(self.server and self.api_key)


def oauth_settings(environ: Mapping[str, str]) -> OAuthSettings:
    """Settings from the environment Connect gives content."""
    server, api_key = content_api_location(environ)
    return OAuthSettings(server=server, api_key=api_key)


def exchange(content_client: Any, session_token: str, audience: str | None = None) -> Any:
    """A posit-sdk Client acting as the visitor whose ``session_token`` this is.

    ``content_client`` authenticates with the content's own key. posit-sdk
    finds the "Connect API" integration among the content's associations
    (``audience`` picks one when several are), posts the token to
    ``v1/oauth/integrations/credentials`` for a visitor API key, and builds
    the client. Raises what posit-sdk raises (ClientError, RuntimeError,
    ValueError, requests' errors).
    """
    return content_client.with_user_session_token(session_token, audience=audience)


def current_session_token() -> str | None:
    """This request's session token, where Connect's headers are believed; else None."""
    if not flask.has_request_context() or not connect_headers_trusted():
        return None
    value = flask.request.environ.get(ENVIRON_KEY)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim (seconds since the epoch) of a JWT, or None if it has none.

    Read without checking the signature: only to bound how long a client is
    cached after Connect accepted the token (Connect checks it).
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refusal(error: Exception, token: str) -> VisitorAccessError:
    """What posit-sdk raised, as a reason and a message with no token in it."""
    import requests
    from posit.connect.errors import ClientError

    if isinstance(error, ClientError):
        said = str(error.error_message).replace(token, "<session token>")[:300]
        return VisitorAccessError(
            VisitorAccessReason.REFUSED,
            f"Connect refused the exchange (HTTP {error.http_status}, code {error.error_code}): "
            f"{said}",
        )
    if isinstance(error, requests.HTTPError):
        status = error.response.status_code if error.response is not None else "?"
        return VisitorAccessError(
            VisitorAccessReason.REFUSED, f"Connect refused the exchange (HTTP {status})"
        )
    if isinstance(error, requests.RequestException):
        return VisitorAccessError.unreachable()
    if isinstance(error, RuntimeError) and "version" in str(error):
        return VisitorAccessError(VisitorAccessReason.SERVER_TOO_OLD, str(error))
    if isinstance(error, RuntimeError):
        return VisitorAccessError(VisitorAccessReason.NOT_ON_CONNECT, str(error))
    return VisitorAccessError(
        VisitorAccessReason.REFUSED, "Connect answered the exchange without a key"
    )


class VisitorClients:
    """Clients acting as visitors, one per session token, each kept for the token's life."""

    def __init__(
        self,
        settings: OAuthSettings,
        *,
        exchange: Callable[[Any, str], Any] = exchange,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._exchange = exchange
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Any, float]] = {}  # sha256(token) -> (client, until)
        self._content_client: Any = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> VisitorClients:
        return cls(oauth_settings(environ))

    def current(self) -> Any:
        """The client acting as this request's visitor; VisitorAccessError says why not."""
        token = current_session_token()
        if token is None or not self.settings.configured:
            raise self._why_not()
        return self.for_token(token)

    def for_token(self, token: str) -> Any:
        """The client for ``token``: cached, or exchanged now."""
        if len(token.encode()) > MAX_TOKEN_BYTES or not _TOKEN_SHAPE.fullmatch(token):
            raise VisitorAccessError(VisitorAccessReason.REFUSED, "the session token is malformed")
        key, now = _fingerprint(token), self._clock()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[1] > now:
                return cached[0]
        import requests
        from posit.connect.errors import ClientError

        try:
            client = with_timeout(self._exchange(self._content(), token), self.settings.timeout_s)
        except (ClientError, requests.RequestException, RuntimeError, ValueError) as error:
            refusal = _refusal(error, token)
            logger.warning("OAuth session-token exchange failed: %s", refusal.message)
            raise refusal from None
        self._keep(key, client, token, now)
        return client

    def _keep(self, key: str, client: Any, token: str, now: float) -> None:
        expiry = token_expiry(token)
        until = now + self.settings.max_life_s
        if expiry is not None:
            until = min(until, expiry)
        if until <= now:
            return
        with self._lock:
            for stale in [k for k, (_, t) in self._cache.items() if t <= now]:
                del self._cache[stale]
            while len(self._cache) >= self.settings.max_entries:
                self._cache.pop(next(iter(self._cache)))  # oldest first
            self._cache[key] = (client, until)

    def _content(self) -> Any:
        if self._content_client is None:
            self._content_client = make_client(
                self.settings.server, self.settings.api_key, self.settings.timeout_s
            )
        return self._content_client

    def _why_not(self) -> VisitorAccessError:
        """Why this request has no token to exchange, or nowhere to exchange it."""
        if not connect_headers_trusted():
            return VisitorAccessError(
                VisitorAccessReason.NOT_ON_CONNECT,
                "this app is not running on Posit Connect, so no visitor session reaches it",
            )
        if not self.settings.configured:
            return VisitorAccessError(
                VisitorAccessReason.NOT_ON_CONNECT,
                "there is no Connect API to act as you through (CONNECT_SERVER and "
                "CONNECT_API_KEY are not both set; Connect sets them for the content it runs)",
            )
        if current_visitor().is_anonymous:
            return VisitorAccessError(
                VisitorAccessReason.NOT_SIGNED_IN,
                "you are not signed in: Connect gives anonymous visitors no session to act as",
            )
        return VisitorAccessError(
            VisitorAccessReason.NO_SESSION_TOKEN,
            f"Connect sent no {SESSION_TOKEN_HEADER} header: this content is not associated "
            "with an OAuth integration",
        )


_WHAT_TO_DO = {
    VisitorAccessReason.NOT_SIGNED_IN: "Sign in to Connect, then open this page again.",
    VisitorAccessReason.NO_SESSION_TOKEN: (
        'A publisher of this app associates it with the "Connect API" OAuth integration '
        "(Access settings > Integrations, or deploy.oauth_integrations), then it works."
    ),
    VisitorAccessReason.NOT_ON_CONNECT: (
        "This app acts as its visitor only on Posit Connect (or the local stand-in): "
        "make connect-local, then make deploy APP={app}, then open it there."
    ),
    VisitorAccessReason.REFUSED: (
        "Reload the page for a fresh session. If it keeps failing, the app's "
        "integration or access settings need a publisher's look."
    ),
    VisitorAccessReason.UNREACHABLE: "Reload the page in a moment.",
    VisitorAccessReason.SERVER_TOO_OLD: (
        'Acting as the visitor through the "Connect API" integration needs Posit '
        "Connect 2025.01.0 or newer."
    ),
}


def visitor_access_advice(problem: VisitorAccessError, app: str) -> tuple[str, str]:
    """(what happened, what to do) for a page of the app called ``app``; neither holds a
    token."""
    what = problem.message[:1].upper() + problem.message[1:] + "."
    return what, _WHAT_TO_DO[problem.reason].format(app=app)
