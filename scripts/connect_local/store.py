"""The stand-in's state on disk: one JSON document plus per-bundle folders.

Everything a restart must keep (content, bundles, env vars, permissions,
vanities, users and groups, tags, visits) lives in ``STATE_DIR/state.json``, rewritten
atomically after each change. Tasks are not kept: Connect forgets them too.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
SCHEMA = 1

Record = dict[str, Any]


def _empty_state() -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "next_id": 1,
        "users": {},  # guid -> user record
        "groups": {},  # guid -> group record
        "memberships": {},  # user guid -> [group guid]
        "content": {},  # guid -> content record
        "bundles": {},  # content guid -> {bundle id -> bundle record}
        "environment": {},  # content guid -> {name: value}
        "permissions": {},  # content guid -> [permission record]
        "vanities": {},  # content guid -> path
        "oauth_integrations": {},  # integration guid -> integration record
        "oauth_associations": {},  # content guid -> [integration guid]
        "tags": {},  # tag id -> tag record (a tree through parent_id)
        "content_tags": {},  # content guid -> [tag id]
        "thumbnails": {},  # content guid -> media type (the bytes: thumbnail_path)
        "packages": {},  # content guid -> {bundle id -> {"python", "packages": [[name, version]]}}
        "execution_environments": {},  # guid -> execution environment (v1/environments)
        "visits": [],  # visit records in the order they happened (scripts/connect_local/visits.py)
    }


class StateError(RuntimeError):
    """The state file exists but cannot be used."""


class Store:
    """Thread-safe access to the state.

    ``with store.read() as state:`` gives a copy; ``with store.change() as state:``
    gives the live state under the lock and saves it on a normal exit.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir.resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._path = self.state_dir / STATE_FILE
        self._state = self._load()

    def _load(self) -> dict[str, Any]:
        if not self._path.exists():
            return _empty_state()
        try:
            state = json.loads(self._path.read_text())
        except ValueError as error:
            raise StateError(f"{self._path} is not valid JSON ({error}); move it away") from None
        if not isinstance(state, dict) or state.get("schema") != SCHEMA:
            raise StateError(f"{self._path} has an unknown layout; expected schema {SCHEMA}")
        return {**_empty_state(), **state}

    @contextmanager
    def read(self) -> Iterator[dict[str, Any]]:
        """A private copy: callers may use it after other threads change the state."""
        with self._lock:
            snapshot = copy.deepcopy(self._state)
        yield snapshot

    @contextmanager
    def change(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            yield self._state
            self._save()

    def next_id(self) -> str:
        """A new numeric id (as Connect's v1 API spells it: a string)."""
        with self.change() as state:
            value = state["next_id"]
            state["next_id"] = value + 1
            return str(value)

    def _save(self) -> None:
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._state, indent=1, sort_keys=True))
        os.replace(temporary, self._path)

    def thumbnail_path(self, content_guid: str) -> Path:
        """Where a content item's thumbnail image is kept."""
        return self.state_dir / "content" / content_guid / "thumbnail"

    def bundle_dir(self, content_guid: str, bundle_id: str) -> Path:
        """Where a bundle's archive, unpacked files, virtualenv and logs live."""
        return self.state_dir / "content" / content_guid / "bundles" / bundle_id
