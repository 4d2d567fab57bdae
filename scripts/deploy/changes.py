"""The settings an app declares, as the writes that make the server match them.

Read first (``plan_changes``: nothing written, so a dry run shows the same
plan), then applied before any upload (``apply_changes``): a refusal by the
server leaves the active bundle serving. No drift: process settings not
declared go back to the server default (``null``), group viewers are exactly
those declared, a vanity URL not declared is removed. Environment variables:
declared ones are set (values cannot be read back, so always), undeclared
ones are left alone (secrets are often set by hand in Connect).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from posit.connect import Client
from posit.connect.content import ContentItem
from posit.connect.errors import ClientError

from scripts.deploy.settings import PROCESS_SETTINGS, DeploySettings

NOT_FOUND = 404
TEXT_FIELDS = ("title", "description")


class SettingsRefused(RuntimeError):
    """Connect refused a setting before the upload; the active bundle still serves."""


@dataclass
class Changes:
    patch: dict[str, Any] = field(default_factory=dict)  # content fields that differ
    environment: dict[str, str] = field(default_factory=dict)
    add_viewers: list[str] = field(default_factory=list)  # group GUIDs
    remove_viewers: list[Any] = field(default_factory=list)  # permission objects
    # Team collaborator groups (role owner): added, or a viewer permission raised to owner.
    add_collaborators: list[str] = field(default_factory=list)  # group GUIDs
    raise_to_collaborator: list[Any] = field(default_factory=list)  # permission objects
    vanity: str | None = None  # the path to set
    remove_vanity: bool = False
    before: dict[str, Any] = field(default_factory=dict)  # the patched fields' current values

    @property
    def differs(self) -> bool:
        """Something on the server differs from the declaration. Environment
        variables do not count: their values cannot be read back, so they are
        written every time whether or not they changed."""
        return (
            bool(self.patch or self.add_viewers or self.remove_viewers or self.vanity)
            or self.remove_vanity
        )

    def describe(self) -> str:
        parts = [self._field(key, value) for key, value in self.patch.items()]
        if self.environment:
            parts.append(f"environment {', '.join(sorted(self.environment))}")
        if self.add_viewers or self.remove_viewers:
            parts.append(f"viewer groups +{len(self.add_viewers)} -{len(self.remove_viewers)}")
        if self.add_collaborators or self.raise_to_collaborator:
            added = len(self.add_collaborators) + len(self.raise_to_collaborator)
            parts.append(f"collaborator groups +{added}")
        if self.vanity:
            parts.append(f"vanity {self.vanity}")
        if self.remove_vanity:
            parts.append("vanity removed")
        return ", ".join(parts) or "none"

    def _field(self, key: str, value: Any) -> str:
        if key == "description":  # by name only: a description would fill the line
            return key
        if key in TEXT_FIELDS and key in self.before:
            return f"{key}: {self.before[key]!r} -> {value!r}"
        return f"{key}={value!r}"


def wanted_fields(settings: DeploySettings) -> dict[str, Any]:
    """Every field the deploy manages; undeclared process settings are None (server default)."""
    process = {key: settings.process.get(key) for key in PROCESS_SETTINGS}
    return {
        "title": settings.title,
        "description": settings.description,
        "access_type": settings.access_type,
        **process,
    }


def _current_vanity(client: Client, guid: str) -> str | None:
    try:
        return str(client.get(f"v1/content/{guid}/vanity").json()["path"])
    except ClientError as error:
        if error.http_status == NOT_FOUND:
            return None
        raise
    except requests.HTTPError as error:
        if error.response is not None and error.response.status_code == NOT_FOUND:
            return None
        raise


def _group_permissions(content: ContentItem) -> list[Any]:
    return [p for p in content.permissions.find() if p["principal_type"] == "group"]


def _plan_groups(
    changes: Changes,
    permissions: list[Any],
    settings: DeploySettings,
    group_guids: Mapping[str, str],
) -> None:
    """Viewer groups exactly as declared (acl); collaborator groups added, never removed here.

    A group both a viewer and a collaborator is a collaborator (Connect keeps
    one role per principal); removing a collaborator group is done by hand.
    """
    owners = {group_guids[n] for n in settings.collaborators if n in group_guids}
    viewers = {group_guids[n] for n in settings.groups if n in group_guids} - owners
    have = {p["principal_guid"]: p for p in permissions}
    for guid in sorted(owners):
        if guid not in have:
            changes.add_collaborators.append(guid)
        elif have[guid]["role"] != "owner":
            changes.raise_to_collaborator.append(have[guid])
    if settings.access_type != "acl":
        return
    changes.add_viewers = sorted(viewers - set(have))
    wanted = viewers | owners
    changes.remove_viewers = [
        p for p in permissions if p["role"] == "viewer" and p["principal_guid"] not in wanted
    ]


def plan_changes(
    client: Client,
    content: ContentItem | None,
    settings: DeploySettings,
    group_guids: Mapping[str, str],
    environ: Mapping[str, str],
) -> Changes:
    """What must change on ``content`` (None: not created yet) to match ``settings``."""
    wanted = wanted_fields(settings)
    current: Mapping[str, Any] = content if content is not None else {}
    patch = {k: v for k, v in wanted.items() if current.get(k) != v}
    changes = Changes(
        patch=patch,
        environment={name: environ[name] for name in settings.environment},
        before={k: current[k] for k in patch if k in current},
    )
    permissions = _group_permissions(content) if content is not None else []
    _plan_groups(changes, permissions, settings, group_guids)
    vanity = _current_vanity(client, content["guid"]) if content is not None else None
    changes.vanity = settings.vanity if settings.vanity != vanity else None
    changes.remove_vanity = settings.vanity is None and vanity is not None
    return changes


def _refused(what: str, error: ClientError) -> SettingsRefused:
    return SettingsRefused(
        f"Connect refused {what} (HTTP {error.http_status}, code {error.error_code}): "
        f"{error.error_message}; nothing was uploaded, the active bundle still serves"
    )


def apply_changes(client: Client, content: ContentItem, changes: Changes) -> None:
    """Make the writes, settings before anything else; SettingsRefused names the refused one."""
    guid = content["guid"]
    if changes.patch:
        try:
            content.update(**changes.patch)
        except ClientError as error:
            raise _refused(f"the settings {', '.join(changes.patch)}", error) from None
    if changes.environment:
        body = [{"name": k, "value": v} for k, v in sorted(changes.environment.items())]
        try:
            client.patch(f"v1/content/{guid}/environment", json=body)
        except ClientError as error:
            raise _refused(f"environment {', '.join(sorted(changes.environment))}", error) from None
    try:
        for group in changes.add_viewers:
            content.permissions.create(principal_guid=group, principal_type="group", role="viewer")
        for permission in changes.remove_viewers:
            permission.destroy()
        for group in changes.add_collaborators:
            content.permissions.create(principal_guid=group, principal_type="group", role="owner")
        for permission in changes.raise_to_collaborator:
            permission.update(role="owner")
    except ClientError as error:
        raise _refused("the viewer and collaborator groups", error) from None
    try:
        if changes.vanity:
            client.put(f"v1/content/{guid}/vanity", json={"path": changes.vanity, "force": False})
        elif changes.remove_vanity:
            client.delete(f"v1/content/{guid}/vanity")
    except ClientError as error:
        raise _refused(f"vanity {changes.vanity or '(removal)'}", error) from None
