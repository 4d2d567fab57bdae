"""Which Connect server to deploy to, and keeping its API key out of every output.

``CONNECT_SERVER`` + ``CONNECT_API_KEY`` (the names rsconnect and posit-sdk
read), ``CONNECT_SERVER`` + an OIDC identity token exchanged for a short-lived
key (``keyless``), or ``SERVER=<nickname>`` saved with ``rsconnect add``. The key
goes to child processes through their environment, never on a command line.
``CONNECT_SERVER`` must be ``https://`` (the key travels in every request),
except on the loopback interface (the stand-in, a tunnel).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scripts.deploy.keyless import KeylessError, identity_token, key_for

SERVER_ENV, KEY_ENV, NICKNAME_ENV = "CONNECT_SERVER", "CONNECT_API_KEY", "SERVER"
REDACTED = "***"


class TargetError(ValueError):
    """No usable server settings; the message says which variable to set."""


@dataclass(frozen=True)
class Target:
    url: str
    api_key: str = field(repr=False)
    nickname: str | None = None

    @property
    def label(self) -> str:
        return f"{self.nickname} ({self.url})" if self.nickname else self.url

    def rsconnect_args(self) -> list[str]:
        return ["--name", self.nickname] if self.nickname else []

    def child_environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` with the server settings rsconnect reads (none when using a nickname)."""
        env = {k: v for k, v in base.items() if k not in {SERVER_ENV, KEY_ENV}}
        if not self.nickname:  # rsconnect refuses -n together with CONNECT_SERVER
            env.update({SERVER_ENV: self.url, KEY_ENV: self.api_key})
        return env

    def redact(self, text: str) -> str:
        return redact(text, self.api_key)


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, REDACTED) if secret else text


def _from_nickname(nickname: str) -> Target:
    from rsconnect.metadata import ServerStore

    store = ServerStore()
    entry = store.get_by_name(nickname)
    if not entry:
        known = ", ".join(s["name"] for s in store.get_all_servers()) or "(none saved)"
        raise TargetError(
            f"SERVER={nickname!r} is not a saved rsconnect server; known: {known}. "
            "Add it with `rsconnect add -n NAME -s URL -k KEY`"
        )
    if not entry.get("api_key"):
        raise TargetError(f"SERVER={nickname!r} has no API key saved; re-add it with -k KEY")
    return Target(url=entry["url"].rstrip("/"), api_key=entry["api_key"], nickname=nickname)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_url(url: str) -> str:
    """``url`` without its trailing slash, if it is https (or http on loopback)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(
            f"{SERVER_ENV}={url!r}; expected a URL such as https://connect.example.com"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise TargetError(
            f"{SERVER_ENV}={url!r} is plain http: the API key would cross the network in "
            f"clear. Use https://{parts.netloc}{parts.path} (http is accepted on loopback only)"
        )
    return url.rstrip("/")


def resolve_target(environ: Mapping[str, str], say: Callable[[str], None] = print) -> Target | None:
    """The configured server, None when none is configured, TargetError when half-set.

    With an identity token the key is exchanged here, before anything else runs
    (``keyless``); ``say`` tells which key the run uses."""
    nickname = environ.get(NICKNAME_ENV, "").strip()
    url = environ.get(SERVER_ENV, "").strip()
    key = environ.get(KEY_ENV, "").strip()
    try:
        token = identity_token(environ)
    except KeylessError as error:
        raise TargetError(str(error)) from None
    if nickname and url:
        raise TargetError(
            f"both {NICKNAME_ENV}={nickname!r} and {SERVER_ENV} are set; use one of them"
        )
    if nickname:
        if token:
            raise TargetError(
                f"an identity token is set with {NICKNAME_ENV}={nickname!r}: the exchange "
                f"needs {SERVER_ENV} instead"
            )
        return _from_nickname(nickname)
    if not url:
        if key or token:
            raise TargetError(f"{SERVER_ENV} is not set; set the server URL")
        return None
    url = _checked_url(url)
    try:
        exchanged = key_for(url, environ, key, say)
    except KeylessError as error:
        raise TargetError(str(error)) from None
    if exchanged:
        return Target(url=url, api_key=exchanged)
    if not key:
        raise TargetError(
            f"{SERVER_ENV} is set but neither {KEY_ENV} nor an identity token "
            "(CONNECT_IDENTITY_TOKEN or CONNECT_IDENTITY_TOKEN_FILE) is; set one"
        )
    return Target(url=url, api_key=key)
