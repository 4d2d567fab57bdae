"""Once per server, before any upload: is it there, does it accept the key, what can it do?

One clear message instead of N identical per-app failures. Also read here:
the deploying user's GUID (content is looked up among their own items), the
server version (draft + verify + activate needs 2025.06.0; older servers get
rsconnect's one-step deploy) and the Python versions it has installed.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.deploy.target import Target


class PreflightError(RuntimeError):
    """The server cannot be used at all; nothing was uploaded."""


DRAFT_MIN_VERSION = "2025.06.0"


@dataclass(frozen=True)
class ServerInfo:
    version: str
    user: str
    user_guid: str = ""
    user_role: str = ""  # viewer, publisher or administrator: who may create tags
    python_versions: tuple[str, ...] | None = None  # None: the server does not say

    @property
    def drafts(self) -> bool:
        """Whether rsconnect builds a draft, checks it, then activates (else: one step)."""
        return supports_drafts(self.version)

    def describe_deploy_mode(self) -> str:
        if self.drafts:
            return "draft, verify, then activate"
        return (
            f"one-step deploy: Connect {self.version} is older than {DRAFT_MIN_VERSION}, "
            "so the new bundle goes live without a draft check"
        )


def _version_tuple(version: str) -> tuple[int, ...] | None:
    parts = version.split("-")[0].split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def at_least(version: str, minimum: str) -> bool | None:
    """Whether ``version`` is ``minimum`` or newer; None when it cannot be read ("hidden")."""
    have, need = _version_tuple(version), _version_tuple(minimum)
    return None if have is None or need is None else have >= need


def supports_drafts(version: str) -> bool:
    """As rsconnect decides it: an unknown or unparsable version gets the one-step deploy."""
    return at_least(version, DRAFT_MIN_VERSION) is True


def python_mismatch(wanted: str, installed: tuple[str, ...] | None) -> str | None:
    """None if ``wanted`` (``3.11`` or ``3.11.7``) is installed (or unknown), else why not."""
    if installed is None:
        return None
    if any(v == wanted or v.startswith(wanted + ".") for v in installed):
        return None
    return (
        f"the bundle asks for Python {wanted} (.python-version) but the server has "
        f"{', '.join(installed) or 'none'}; set PYTHON_VERSION= to one of them"
    )


def _status_of(error: Exception) -> int | None:
    if isinstance(error, ClientError):
        return int(error.http_status)
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def preflight(client: Client, target: Target) -> ServerInfo:
    """GET server_settings and v1/user, as rsconnect does first; raise PreflightError."""
    where = target.label
    try:
        version = client.version or "hidden"
        me = client.me
        user, user_guid = me["username"], me["guid"]
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
        detail = error.error_message if isinstance(error, ClientError) else ""
        said = f": {target.redact(detail)}" if detail and str(status) not in detail else ""
        raise PreflightError(
            f"Connect at {where} answered HTTP {status}{said}; is this the Connect server URL?"
        ) from None
    except (ValueError, KeyError) as error:
        raise PreflightError(
            f"{where} did not answer like a Connect server ({type(error).__name__}); "
            "is this the Connect server URL?"
        ) from None
    return ServerInfo(
        version=str(version),
        user=str(user),
        user_guid=str(user_guid),
        user_role=str(me.get("user_role", "")),
        python_versions=installed_pythons(client),
    )


def installed_pythons(client: Client) -> tuple[str, ...] | None:
    """``GET v1/server_settings/python``'s versions; None when the server does not answer it."""
    try:
        data = client.get("v1/server_settings/python").json()
    except (ClientError, requests.HTTPError):
        return None
    return tuple(str(i["version"]) for i in data.get("installations", []))
