"""Content on Connect, through posit-sdk: found by its stable name, never duplicated.

A fresh checkout (CI) has no rsconnect deployment records, so each app's
content is looked up by name (``<namespace>-<app>``) and created only when
none exists. Access type, viewer groups, description and process settings
are then applied through the API: rsconnect has no flags for them.
"""

from __future__ import annotations

import re
from typing import Any

from posit.connect import Client
from posit.connect.content import ContentItem
from posit.connect.errors import ClientError

from scripts.ship.deploy.settings import DeploySettings

# Connect names: letters, digits, "-" and "_"; 3 to 64 characters.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
DUPLICATE_NAME_STATUS = 409


class ContentError(RuntimeError):
    """The server's content or groups do not allow the deploy; the message says why."""


def normalise_namespace(namespace: str) -> str:
    cleaned = _NAME_UNSAFE.sub("-", namespace.strip()).strip("-_").lower()
    if not cleaned:
        raise ContentError(f"NAMESPACE={namespace!r} leaves no usable name; use letters and digits")
    return cleaned


def content_name(namespace: str, app: str) -> str:
    name = f"{normalise_namespace(namespace)}-{app}"
    if len(name) > 64:
        raise ContentError(f"content name {name!r} is longer than Connect's 64 characters")
    return name


def find_content(client: Client, name: str) -> ContentItem | None:
    """The one content item called ``name`` (preferring the caller's own), else None."""
    found = client.content.find(name=name)
    if len(found) > 1:
        mine = [c for c in found if c.get("owner_guid") == client.me["guid"]]
        if len(mine) != 1:
            guids = ", ".join(c["guid"] for c in found)
            raise ContentError(f"{len(found)} content items are named {name!r} ({guids}); keep one")
        return mine[0]
    return found[0] if found else None


def find_or_create(client: Client, name: str, title: str) -> tuple[ContentItem, bool]:
    """(content, created). A concurrent deploy that created it first wins: reuse that."""
    existing = find_content(client, name)
    if existing is not None:
        return existing, False
    try:
        return client.content.create(name=name, title=title), True
    except ClientError as error:
        if error.http_status != DUPLICATE_NAME_STATUS:
            raise
    existing = find_content(client, name)
    if existing is None:
        raise ContentError(f"Connect says {name!r} exists but does not list it")
    return existing, False


def group_guids(client: Client, names: tuple[str, ...]) -> dict[str, str]:
    """Group name -> GUID, for every name; ContentError naming the missing ones."""
    guids, missing = {}, []
    for name in names:
        matches = [g for g in client.groups.find(prefix=name) if g["name"].lower() == name.lower()]
        if matches:
            guids[name] = matches[0]["guid"]
        else:
            missing.append(name)
    if missing:
        raise ContentError(
            f"group(s) not found on the server: {', '.join(missing)}; create them in Connect "
            "or fix deploy.groups in the app's pyproject.toml"
        )
    return guids


def sync_group_viewers(client: Client, content: ContentItem, groups: tuple[str, ...]) -> None:
    """Exactly ``groups`` as group viewers: missing ones added, unlisted ones removed.

    User permissions and group owners (collaborators) are left alone.
    """
    wanted = set(group_guids(client, groups).values())
    current = [
        p
        for p in content.permissions.find()
        if p["principal_type"] == "group" and p["role"] == "viewer"
    ]
    have = {p["principal_guid"] for p in current}
    for guid in sorted(wanted - have):
        content.permissions.create(principal_guid=guid, principal_type="group", role="viewer")
    for permission in current:
        if permission["principal_guid"] not in wanted:
            permission.destroy()


def apply_settings(client: Client, content: ContentItem, settings: DeploySettings) -> None:
    """One PATCH for description, access type and process settings, then the ACL."""
    changes: dict[str, Any] = {
        "title": settings.title,
        "description": settings.description,
        "access_type": settings.access_type,
        **settings.process,
    }
    content.update(**changes)
    if settings.access_type == "acl":
        sync_group_viewers(client, content, settings.groups)
