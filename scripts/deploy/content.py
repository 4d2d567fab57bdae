"""Which content item an app deploys into: the deployer's own, found by its stable name.

Connect's content names are unique per owner, and ``GET v1/content?name=``
lists every item the caller can see (an administrator sees them all). So the
lookup asks for the deployer's own item (``owner_guid``) and checks the
owner again here. Another user's item with the same name is never written
to: the tool creates its own and says so. Content owned by someone else is
used only when the app opts in for this server (``deploy_as_collaborator_on``)
and the deployer is a collaborator on it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from posit.connect import Client
from posit.connect.content import ContentItem
from posit.connect.errors import ClientError

from scripts.deploy.settings import COLLABORATOR_KEY, DeploySettings

# Connect names: letters, digits, "-" and "_"; 3 to 64 characters.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
DUPLICATE_NAME_STATUS = 409
OWN, CREATED, COLLABORATOR, ABSENT = "own", "created", "collaborator", "absent"


class ContentError(RuntimeError):
    """The server's content does not allow the deploy; the message says why."""


@dataclass(frozen=True)
class Lookup:
    """What the lookup found: ``content`` is None when it is ``ABSENT`` (dry run)."""

    content: ContentItem | None
    how: str  # OWN, CREATED, COLLABORATOR or ABSENT
    others: tuple[str, ...] = ()  # GUIDs of other users' items with the same name

    def describe(self, name: str) -> str:
        guid = self.content["guid"] if self.content is not None else ""
        text = {
            OWN: f"found own content {name} ({guid})",
            CREATED: f"created content {name} ({guid})",
            COLLABORATOR: f"deploying as a collaborator into {name} ({guid})",
            ABSENT: f"would create content {name}",
        }[self.how]
        if self.others and self.how != COLLABORATOR:
            text += f"; left alone: another user's {name} ({', '.join(self.others)})"
        return text


def resolve_namespace(given: str | None, environ: Mapping[str, str], workspace: Path) -> str:
    """The one rule for the namespace of content names: ``--namespace``, else
    ``NAMESPACE=``, else the workspace's project name (the same in every clone
    and in CI, whatever the folder is called)."""
    return given or environ.get("NAMESPACE") or _project_name(workspace)


def _project_name(workspace: Path) -> str:
    pyproject = workspace / "pyproject.toml"
    if pyproject.is_file():
        name = tomllib.loads(pyproject.read_text()).get("project", {}).get("name")
        if isinstance(name, str) and name.strip():
            return name
    return workspace.resolve().name


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


def find_own_content(client: Client, name: str, owner_guid: str) -> ContentItem | None:
    """The deployer's own item called ``name``, else None (names are unique per owner)."""
    found = client.content.find(name=name, owner_guid=owner_guid)
    mine = [c for c in found if c.get("owner_guid") == owner_guid and c.get("name") == name]
    return mine[0] if mine else None


def _is_collaborator(item: ContentItem, user_guid: str) -> bool:
    try:
        permissions = item.permissions.find()
    except ClientError:  # not allowed to read them: not a collaborator
        return False
    return any(
        p["principal_type"] == "user" and p["principal_guid"] == user_guid and p["role"] == "owner"
        for p in permissions
    )


def _others_items(client: Client, name: str, user_guid: str) -> list[ContentItem]:
    return [
        c
        for c in client.content.find(name=name)
        if c.get("name") == name and c.get("owner_guid") != user_guid
    ]


def _opted_in_item(
    own: ContentItem | None, others: list[ContentItem], name: str, user_guid: str
) -> Lookup:
    """Opted in: the one item called ``name`` that is the deployer's own or shared with them."""
    shared = [c for c in others if _is_collaborator(c, user_guid)]
    candidates = ([own] if own is not None else []) + shared
    if len(candidates) != 1:
        listed = ", ".join(c["guid"] for c in candidates) or "none"
        raise ContentError(
            f"{COLLABORATOR_KEY} names this server, so exactly one item called {name!r} "
            f"owned by or shared with the deployer (as a collaborator) must exist; found: "
            f"{listed}. Delete the extra one, or ask the owner to add you as a collaborator"
        )
    if own is not None:
        return Lookup(own, OWN)
    return Lookup(shared[0], COLLABORATOR, tuple(c["guid"] for c in others))


def locate(
    client: Client,
    name: str,
    user_guid: str,
    settings: DeploySettings,
    server_url: str,
    *,
    create: bool,
) -> Lookup:
    """Own content (opted in: or the one shared), else a new item (ABSENT: not ``create``)."""
    own = find_own_content(client, name, user_guid)
    if settings.may_collaborate_on(server_url):
        return _opted_in_item(own, _others_items(client, name, user_guid), name, user_guid)
    if own is not None:
        return Lookup(own, OWN)
    guids = tuple(c["guid"] for c in _others_items(client, name, user_guid))
    absent = Lookup(None, ABSENT, guids)
    if not create:
        return absent
    return create_own_content(client, name, settings.title, user_guid, absent)


def create_own_content(
    client: Client, name: str, title: str, user_guid: str, absent: Lookup
) -> Lookup:
    """A new item for an ``ABSENT`` lookup; a concurrent deploy that created it first wins."""
    try:
        return Lookup(client.content.create(name=name, title=title), CREATED, absent.others)
    except ClientError as error:
        if error.http_status != DUPLICATE_NAME_STATUS:
            raise
    existing = find_own_content(client, name, user_guid)
    if existing is None:
        raise ContentError(f"Connect says {name!r} exists but does not list it as yours")
    return Lookup(existing, OWN, absent.others)
