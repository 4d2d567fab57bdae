"""Names for GUIDs: resolve a GUID-mode visitor through the Connect API.

With ``Authorization.ContentCredentialsUseGUID`` the credentials header
carries GUIDs. This module asks Connect (posit-sdk, with the
``CONNECT_SERVER`` / ``CONNECT_API_KEY`` that Connect gives content) for the
user name and group names behind them, with a short timeout and a cache.
Any failure (not configured, timeout, error, unknown GUID) gives the GUID
back: a page shows it and keeps working. Failures are cached too, for a
shorter time, and concurrent requests for one GUID share one API call, so a
slow server costs one timeout per GUID, not one per page or per thread.

posit-sdk is imported on the first lookup, never when connectkit is imported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import flask

from connectkit.connect_api import content_api_location, make_client
from connectkit.visitor import Mode, Visitor, is_guid

logger = logging.getLogger(__name__)

EXTENSION_KEY = "connectkit.directory"  # where create_app keeps the app's directory
Kind = Literal["user", "group"]


@dataclass(frozen=True)
class DirectorySettings:
    """Where the Connect API is, and how patient to be with it."""

    server: str = ""
    api_key: str = ""
    timeout_s: float = 2.0  # per connect/read: a page waits at most about this long
    ttl_s: float = 600.0  # how long a resolved name is reused
    failure_ttl_s: float = 60.0  # how long a failed lookup is not retried
    max_entries: int = 4096

    @property
    def configured(self) -> bool:
        return bool(self.server and self.api_key)


def directory_settings(environ: Mapping[str, str]) -> DirectorySettings:
    """Settings from the environment Connect gives content."""
    server, api_key = content_api_location(environ)
    return DirectorySettings(server=server, api_key=api_key)


class Directory:
    """Cached GUID -> name lookups; every method answers, none raises."""

    def __init__(
        self,
        settings: DirectorySettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._cache: dict[tuple[Kind, str], tuple[str | None, float]] = {}
        self._lock = threading.Lock()
        self._pending: dict[tuple[Kind, str], threading.Event] = {}
        self._client: Any = None

    def user_name(self, guid: str) -> str | None:
        """The user name for a user GUID, or None when it cannot be resolved."""
        return self._resolve("user", guid)

    def group_name(self, guid: str) -> str | None:
        """The group name for a group GUID, or None when it cannot be resolved."""
        return self._resolve("group", guid)

    def _resolve(self, kind: Kind, guid: str) -> str | None:
        if not self.settings.configured or not is_guid(guid):
            return None
        key = (kind, guid.lower())
        with self._lock:
            cached = self._fresh(key)
            if cached is not None:
                return cached[0]
            pending = self._pending.get(key)
            if pending is None:  # this thread asks; others wanting the same GUID wait
                self._pending[key] = threading.Event()
        if pending is not None:
            pending.wait(self.settings.timeout_s * 4)
            with self._lock:
                cached = self._fresh(key)
            return cached[0] if cached is not None else None
        name: str | None = None
        try:
            name = self._fetch(kind, key[1])
        finally:
            ttl = self.settings.ttl_s if name is not None else self.settings.failure_ttl_s
            with self._lock:
                self._cache.pop(key, None)
                while len(self._cache) >= self.settings.max_entries:
                    self._cache.pop(next(iter(self._cache)))  # oldest first
                self._cache[key] = (name, self._clock() + ttl)
                self._pending.pop(key).set()
        return name

    def _fresh(self, key: tuple[Kind, str]) -> tuple[str | None, float] | None:
        cached = self._cache.get(key)
        return cached if cached is not None and cached[1] > self._clock() else None

    def _fetch(self, kind: Kind, guid: str) -> str | None:
        try:
            client = self._connect()
            if kind == "user":
                name = client.users.get(guid)["username"]
            else:
                name = client.groups.get(guid)["name"]
        except Exception as error:  # any failure means "show the GUID"
            logger.warning(
                "Could not resolve %s %s through the Connect API at %s (showing the GUID): "
                "%s: %.200s",
                kind,
                guid,
                self.settings.server,
                type(error).__name__,
                error,
            )
            return None
        if not isinstance(name, str) or not name.strip():
            logger.warning("Connect API gave no name for %s %s", kind, guid)
            return None
        return name

    def _connect(self) -> Any:
        if self._client is None:
            self._client = make_client(
                self.settings.server, self.settings.api_key, self.settings.timeout_s
            )
        return self._client


def init_directory(server: Any, environ: Mapping[str, str]) -> Directory:
    """Give the Flask server its directory (no network, no posit-sdk import)."""
    directory = Directory(directory_settings(environ))
    server.extensions[EXTENSION_KEY] = directory
    return directory


def current_directory() -> Directory:
    """The serving app's directory: the one accessor.

    An unconfigured one (every lookup gives the GUID back) outside an app
    context, or for an app that create_app did not build.
    """
    if not flask.has_app_context():
        return Directory(DirectorySettings())
    extensions = flask.current_app.extensions
    directory = extensions.get(EXTENSION_KEY)
    if not isinstance(directory, Directory):
        directory = extensions[EXTENSION_KEY] = Directory(DirectorySettings())
    return directory


def visitor_display_name(visitor: Visitor, directory: Directory | None = None) -> str:
    """The name to show: the user name, resolved in GUID mode (the GUID if that fails).

    ``directory`` defaults to the serving app's (``current_directory()``).
    """
    if visitor.mode is Mode.GUIDS and visitor.user is not None:
        found = current_directory() if directory is None else directory
        return found.user_name(visitor.user) or visitor.user
    return visitor.display_name


def group_display_names(visitor: Visitor, directory: Directory | None = None) -> tuple[str, ...]:
    """The visitor's groups as names: resolved in GUID mode (GUIDs where that fails).

    ``directory`` defaults to the serving app's (``current_directory()``).
    """
    if visitor.mode is not Mode.GUIDS:
        return visitor.groups
    found = current_directory() if directory is None else directory
    return tuple(found.group_name(g) or g for g in visitor.groups)
