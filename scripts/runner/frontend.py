"""A WSGI layer that puts an app where Connect puts it.

Connect serves content at ``/content/<GUID>/``: its proxy strips that prefix
before the request reaches the app, and it sets ``RStudio-Connect-Credentials``
itself (a client cannot send its own, nor a session token). This layer does
both, so ``make run`` and the smoke tests exercise the same URLs and identity
as Connect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from connectkit.credentials import ENVIRON_KEY
from connectkit.oauth import ENVIRON_KEY as SESSION_TOKEN_ENVIRON_KEY

from scripts.connect_rules.vanity import normalise_vanity

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def normalise_prefix(prefix: str) -> str:
    """``content/x`` or ``/content/x`` -> ``/content/x/``; ``/`` stays ``/``."""
    stripped = prefix.strip().strip("/")
    return f"/{stripped}/" if stripped else "/"


class ConnectLikeFrontend:
    """Strip ``prefix``, redirect ``/`` to it, and set the credentials header.

    ``credentials`` is the raw header value to send (None: anonymous, the
    header is removed even if the client sent one, as on Connect).
    ``vanity`` also serves the app's index at that path, as a Connect vanity
    URL does (only the index: ``<vanity>page-2`` is not found there either).
    ``visitor_keys`` maps API keys to credentials: a request carrying
    ``Authorization: Key <key>`` visits as that key's user, as on Connect (the
    load test gives each simulated visitor its own); an unknown key is refused
    with 401, as Connect refuses one.
    """

    def __init__(
        self,
        app: WSGIApp,
        prefix: str,
        credentials: str | None = None,
        vanity: str | None = None,
        visitor_keys: Mapping[str, str | None] | None = None,
    ) -> None:
        self.app = app
        self.visitor_keys = dict(visitor_keys or {})
        self.prefix = normalise_prefix(prefix)
        self.credentials = credentials
        self.vanity = normalise_vanity(vanity) if vanity else None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if self.vanity is not None and path.rstrip("/") == self.vanity.rstrip("/"):
            # Connect's vanity URL reaches the app's index only, not its sub-paths.
            environ["PATH_INFO"] = "/"
        elif self.prefix != "/":
            if path == self.prefix.rstrip("/") or (path == "/" and self.prefix != "/"):
                return _redirect(start_response, self.prefix, environ)
            if not path.startswith(self.prefix):
                return _not_here(start_response, self.prefix)
            environ["PATH_INFO"] = "/" + path[len(self.prefix) :]
        environ.pop(ENVIRON_KEY, None)
        # Connect's session token too: only Connect mints one, never the client.
        environ.pop(SESSION_TOKEN_ENVIRON_KEY, None)
        credentials = self.credentials
        key = _api_key(environ.pop("HTTP_AUTHORIZATION", ""))
        if key is not None:
            if key not in self.visitor_keys:
                return _refused_key(start_response)
            credentials = self.visitor_keys[key]
        if credentials is not None:
            environ[ENVIRON_KEY] = credentials
        return self.app(environ, start_response)


def _api_key(authorization: str) -> str | None:
    """The key of an ``Authorization: Key <key>`` header (Connect's API-key scheme)."""
    scheme, _, key = authorization.strip().partition(" ")
    return key.strip() if scheme.lower() == "key" else None


def _refused_key(start_response: StartResponse) -> list[bytes]:
    body = b"Unauthorized: this API key names no visitor of this runner (--visitor-keys)\n"
    start_response(
        "401 Unauthorized",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _redirect(start_response: StartResponse, location: str, environ: Environ) -> list[bytes]:
    query = environ.get("QUERY_STRING")
    if query:
        location = f"{location}?{query}"
    start_response("302 Found", [("Location", location), ("Content-Length", "0")])
    return [b""]


def _not_here(start_response: StartResponse, prefix: str) -> list[bytes]:
    body = f"Not found: this app is served under {prefix}\n".encode()
    start_response(
        "404 Not Found",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
