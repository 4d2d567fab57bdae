"""Which Connect server to deploy to, and keeping its API key out of every output.

``CONNECT_SERVER`` + ``CONNECT_API_KEY`` (the names rsconnect and posit-sdk
read), or ``SERVER=<nickname>`` saved with ``rsconnect add``. The key goes to
child processes through their environment, never on a command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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


def resolve_target(environ: Mapping[str, str]) -> Target | None:
    """The configured server, None when none is configured, TargetError when half-set."""
    nickname = environ.get(NICKNAME_ENV, "").strip()
    url = environ.get(SERVER_ENV, "").strip()
    key = environ.get(KEY_ENV, "").strip()
    if nickname and url:
        raise TargetError(
            f"both {NICKNAME_ENV}={nickname!r} and {SERVER_ENV} are set; use one of them"
        )
    if nickname:
        return _from_nickname(nickname)
    if not url:
        if key:
            raise TargetError(f"{KEY_ENV} is set but {SERVER_ENV} is not; set the server URL")
        return None
    if not url.startswith(("http://", "https://")):
        raise TargetError(
            f"{SERVER_ENV}={url!r}; expected a URL such as https://connect.example.com"
        )
    if not key:
        raise TargetError(f"{SERVER_ENV} is set but {KEY_ENV} is empty; set the API key")
    return Target(url=url.rstrip("/"), api_key=key)
