"""The Connect API as content sees it: where it is, and posit-sdk clients with a timeout.

posit-sdk sets none, and requests has no session-wide one: a Connect API
that hangs would hang the page that asked. Both the directory (names for
GUIDs) and the OAuth exchange (``connectkit.oauth``) build their clients here.
posit-sdk is imported when a client is made, never when connectkit is imported.

A timeout bounds one call; a page load makes several (the exchange, then the
listing), and every server thread would wait on each. So a server that did
not answer (a timeout, a refused connection) is remembered for
``REMEMBER_FAILURE_S``: meanwhile every call to it fails at once, with the
same error, instead of waiting its own timeout. One page load then waits one
timeout at most, and the pages after it none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

REMEMBER_FAILURE_S = 15.0


class _Unanswered:
    """Servers (scheme://host:port) that did not answer lately, and until when to skip them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def remember(self, origin: str) -> None:
        with self._lock:
            self._until[origin] = time.monotonic() + REMEMBER_FAILURE_S

    def skipped(self, origin: str) -> bool:
        with self._lock:
            until = self._until.get(origin)
            if until is not None and until <= time.monotonic():
                del self._until[origin]  # time to ask again
                until = None
            return until is not None


# Process-wide on purpose: a server that does not answer one client does not answer another.
UNANSWERED = _Unanswered()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_api_location(environ: Mapping[str, str]) -> tuple[str, str]:
    """(server, API key): the Connect API as Connect tells its content
    (``CONNECT_SERVER``, ``CONNECT_API_KEY``; empty when unset)."""
    return environ.get("CONNECT_SERVER", "").strip(), environ.get("CONNECT_API_KEY", "").strip()


def with_timeout(client: Any, timeout_s: float) -> Any:
    """Give every request of ``client`` (a posit-sdk Client) ``timeout_s`` unless it sets
    one, and skip a server that did not answer lately (``UNANSWERED``)."""
    import requests.adapters

    class TimeoutAdapter(requests.adapters.HTTPAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            origin = origin_of(request.url)
            if UNANSWERED.skipped(origin):
                raise requests.ConnectionError(
                    f"{origin} did not answer lately; not asked again for a few seconds",
                    request=request,
                )
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout_s
            try:
                return super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                UNANSWERED.remember(origin)
                raise

    for scheme in ("http://", "https://"):
        client.session.mount(scheme, TimeoutAdapter())
    return client


def make_client(server: str, api_key: str, timeout_s: float) -> Any:
    """posit-sdk's Client for ``server``, every request bounded by ``timeout_s``."""
    from posit.connect import Client

    return with_timeout(Client(url=server, api_key=api_key), timeout_s)
