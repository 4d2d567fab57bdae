"""The Connect API as content sees it: where it is, and posit-sdk clients with a timeout.

posit-sdk sets none, and requests has no session-wide one: a Connect API
that hangs would hang the page that asked. Both the directory (names for
GUIDs) and the OAuth exchange (``connectkit.oauth``) build their clients here.
posit-sdk is imported when a client is made, never when connectkit is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def content_api_location(environ: Mapping[str, str]) -> tuple[str, str]:
    """(server, API key): the Connect API as Connect tells its content
    (``CONNECT_SERVER``, ``CONNECT_API_KEY``; empty when unset)."""
    return environ.get("CONNECT_SERVER", "").strip(), environ.get("CONNECT_API_KEY", "").strip()


def with_timeout(client: Any, timeout_s: float) -> Any:
    """Give every request of ``client`` (a posit-sdk Client) ``timeout_s`` unless it sets one."""
    import requests.adapters

    class TimeoutAdapter(requests.adapters.HTTPAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = timeout_s
            return super().send(request, **kwargs)

    for scheme in ("http://", "https://"):
        client.session.mount(scheme, TimeoutAdapter())
    return client


def make_client(server: str, api_key: str, timeout_s: float) -> Any:
    """posit-sdk's Client for ``server``, every request bounded by ``timeout_s``."""
    from posit.connect import Client

    return with_timeout(Client(url=server, api_key=api_key), timeout_s)
