"""The credentials the stand-in mints for OAuth integrations, and how it checks them.

- **Content keys**: each content process gets its own ``CONNECT_API_KEY``
  (as on Connect), acting as the content's owner; the exchange knows from it
  which content item is asking.
- **User session tokens**: what the proxy sends as
  ``Posit-Connect-User-Session-Token`` to associated content, one per
  visitor and content item: a JWT (HS256 under a secret made at start-up,
  or ``--session-token-secret``) with ``sub`` (the user's GUID),
  ``content_guid``, ``iat`` and ``exp`` (``--session-token-ttl``). The proxy
  reuses a token until half its life is gone, so an app's per-token cache works.
- **Visitor keys**: what the exchange answers for the "Connect API"
  integration: an API key of the visitor, valid until the session token's ``exp``.

Everything is kept in memory: a restart mints new ones (and processes restart too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

JWT_HEADER = {"alg": "HS256", "typ": "JWT"}
ISSUER = "connect-local"
DEFAULT_TTL_S = 3600


class TokenRefused(ValueError):
    """A session token the exchange must refuse; the message says why (never the token)."""


@dataclass(frozen=True)
class SessionClaims:
    user_guid: str
    content_guid: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class ContentKey:
    content_guid: str
    owner_guid: str


@dataclass
class TokenMint:
    """Mints and checks content keys, session tokens and visitor keys (thread-safe)."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ttl_s: int = DEFAULT_TTL_S
    clock: Callable[[], float] = time.time
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _content_keys: dict[str, ContentKey] = field(default_factory=dict, repr=False)
    _visitor_keys: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)
    _sessions: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict, repr=False)

    # -- content keys ------------------------------------------------------------------

    def content_key(self, content_guid: str, owner_guid: str) -> str:
        """A new key for one start of a content item's process."""
        key = secrets.token_hex(16)
        with self._lock:
            self._content_keys[key] = ContentKey(content_guid, owner_guid)
        return key

    def content_of(self, key: str) -> ContentKey | None:
        with self._lock:
            return self._content_keys.get(key)

    # -- session tokens ----------------------------------------------------------------

    def session_token(self, user_guid: str, content_guid: str) -> str:
        """The visitor's token for this content: reused until half its life is gone."""
        now = int(self.clock())
        with self._lock:
            kept = self._sessions.get((user_guid, content_guid))
            if kept is not None and kept[1] - now > self.ttl_s / 2:
                return kept[0]
            claims = {
                "iss": ISSUER,
                "sub": user_guid,
                "content_guid": content_guid,
                "iat": now,
                "exp": now + self.ttl_s,
                "jti": secrets.token_hex(8),
            }
            token = self.sign(claims)
            self._sessions[(user_guid, content_guid)] = (token, now + self.ttl_s)
        return token

    def sign(self, claims: dict[str, object]) -> str:
        """A JWT of ``claims`` under the stand-in's secret."""
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (JWT_HEADER, claims)
        )
        signature = hmac.new(self.secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"

    def check_session_token(self, token: str) -> SessionClaims:
        """The claims of a token this stand-in signed and that has not expired."""
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenRefused("the subject_token is not a user session token (not a JWT)")
        signing_input = f"{parts[0]}.{parts[1]}"
        expected = hmac.new(self.secret, signing_input.encode(), hashlib.sha256).digest()
        try:
            signature = _unb64(parts[2])
            header, claims = (json.loads(_unb64(p)) for p in parts[:2])
        except (ValueError, UnicodeDecodeError):
            raise TokenRefused("the subject_token is not a user session token") from None
        if not hmac.compare_digest(signature, expected) or header != JWT_HEADER:
            raise TokenRefused("the subject_token's signature is not valid")
        if not isinstance(claims, dict) or claims.get("iss") != ISSUER:
            raise TokenRefused("the subject_token was not issued by this server")
        exp, sub, content = claims.get("exp"), claims.get("sub"), claims.get("content_guid")
        if not isinstance(exp, int) or not isinstance(sub, str) or not isinstance(content, str):
            raise TokenRefused("the subject_token lacks its claims")
        if exp <= self.clock():
            raise TokenRefused("the subject_token has expired")
        return SessionClaims(sub, content, exp)

    # -- visitor keys ------------------------------------------------------------------

    def visitor_key(self, user_guid: str, expires_at: float) -> str:
        key = secrets.token_hex(16)
        with self._lock:
            now = self.clock()
            for stale in [k for k, (_, t) in self._visitor_keys.items() if t <= now]:
                del self._visitor_keys[stale]
            self._visitor_keys[key] = (user_guid, expires_at)
        return key

    def user_of(self, key: str) -> str | None:
        """The user a content key (its owner) or an unexpired visitor key acts as."""
        with self._lock:
            content = self._content_keys.get(key)
            if content is not None:
                return content.owner_guid
            visitor = self._visitor_keys.get(key)
        if visitor is not None and visitor[1] > self.clock():
            return visitor[0]
        return None
