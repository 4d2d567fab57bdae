"""A WSGI layer that puts an app where Connect puts it.

Connect serves content at ``/content/<GUID>/``: its proxy strips that prefix
before the request reaches the app, and it sets ``RStudio-Connect-Credentials``
itself (a client cannot send its own, nor a session token). This layer does
both, so ``make run`` and the smoke tests exercise the same URLs and identity
as Connect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    """

    def __init__(
        self,
        app: WSGIApp,
        prefix: str,
        credentials: str | None = None,
        vanity: str | None = None,
    ) -> None:
        self.app = app
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
        if self.credentials is not None:
            environ[ENVIRON_KEY] = self.credentials
        return self.app(environ, start_response)


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
