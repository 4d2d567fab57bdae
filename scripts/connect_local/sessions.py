"""Who a browser visits as: a signed cookie, handed out only by ``POST /__login__``.

Logging in takes proof: the login token printed at start-up (or the default
``--api-key``) may pick any visitor, as a developer's console would; any
other user's API key logs in as that user only. The cookie is
``<username>.<HMAC>`` under a secret made at start-up, so a hand-written
cookie names nobody, and a restart logs everybody out. ``-`` (chosen
anonymity) needs no signature: it grants nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

VISITOR_COOKIE = "connect_local_visitor"
ANONYMOUS_COOKIE_VALUE = "-"


@dataclass
class Sessions:
    login_token: str
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def _signature(self, username: str) -> str:
        return hmac.new(self._secret, username.encode(), hashlib.sha256).hexdigest()

    def cookie_for(self, username: str) -> str:
        return f"{username}.{self._signature(username)}"

    def username_from(self, cookie: str) -> str | None:
        """The user a cookie names, or None for an anonymous or forged one."""
        username, _, signature = cookie.rpartition(".")
        if username and hmac.compare_digest(signature, self._signature(username)):
            return username
        return None

    def is_login_token(self, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.login_token)
