"""Before any upload: is the server there, and does it accept the key?

One clear message instead of N identical per-app failures.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.ship.deploy.target import Target


class PreflightError(RuntimeError):
    """The server cannot be used at all; nothing was uploaded."""


@dataclass(frozen=True)
class ServerInfo:
    version: str
    user: str


def _status_of(error: Exception) -> int | None:
    if isinstance(error, ClientError):
        return error.http_status
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def preflight(client: Client, target: Target) -> ServerInfo:
    """GET server_settings and v1/user, as rsconnect does first; raise PreflightError."""
    where = target.label
    try:
        version = client.version or "hidden"
        user = client.me["username"]
    except (requests.ConnectionError, requests.Timeout) as error:
        reason = type(error).__name__
        raise PreflightError(
            f"cannot reach Connect at {where} ({reason}); check CONNECT_SERVER and the network"
        ) from None
    except (ClientError, requests.HTTPError) as error:
        status = _status_of(error)
        if status in (401, 403):
            raise PreflightError(
                f"Connect at {where} rejected the API key (HTTP {status}); "
                "check CONNECT_API_KEY (or the key saved for SERVER)"
            ) from None
        detail = error.error_message if isinstance(error, ClientError) else str(status)
        raise PreflightError(
            f"Connect at {where} answered HTTP {status} ({target.redact(detail)}); "
            "is this the Connect server URL?"
        ) from None
    except (ValueError, KeyError) as error:
        raise PreflightError(
            f"{where} did not answer like a Connect server ({type(error).__name__}); "
            "is this the Connect server URL?"
        ) from None
    return ServerInfo(version=str(version), user=str(user))
