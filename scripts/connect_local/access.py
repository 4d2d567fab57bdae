"""Who may view, see or change a content item, decided as Connect decides it.

Viewing the running content:
- ``all``: anyone, anonymous visitors included;
- ``logged_in``: any signed-in visitor;
- ``acl``: the owner, and users or members of groups with a permission.

Seeing it in the API (``GET v1/content``): the above, plus administrators.
Changing it (settings, bundles, deploys, permissions, vanity): the owner, a
collaborator (permission role ``owner``, publishers and administrators only),
or an administrator.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from scripts.connect_local.directory import Principal
from scripts.connect_local.store import Record

EDITOR_ROLES = ("publisher", "administrator")


class Decision(Enum):
    ALLOW = "allow"
    LOGIN = "login"  # anonymous visitor, content needs a signed-in one
    DENY = "deny"  # signed in, but not on the list


def decide(content: Record, permissions: Iterable[Record], visitor: Principal) -> Decision:
    access_type = content.get("access_type", "acl")
    if access_type == "all":
        return Decision.ALLOW
    if visitor.is_anonymous:
        return Decision.LOGIN
    if access_type == "logged_in" or visitor.user_guid == content.get("owner_guid"):
        return Decision.ALLOW
    if any(_names(permission, visitor) for permission in permissions):
        return Decision.ALLOW
    return Decision.DENY


def _names(permission: Record, visitor: Principal) -> bool:
    """Whether a permission is the visitor's own or one of their groups'."""
    principal = permission.get("principal_guid")
    if permission.get("principal_type") == "user":
        return principal == visitor.user_guid
    return permission.get("principal_type") == "group" and principal in visitor.group_guids


def is_editor(content: Record, permissions: Iterable[Record], visitor: Principal) -> bool:
    """Owner, administrator, or a collaborator who is a publisher or administrator."""
    if visitor.is_anonymous:
        return False
    if visitor.role == "administrator" or visitor.user_guid == content.get("owner_guid"):
        return True
    return visitor.role in EDITOR_ROLES and any(
        p.get("role") == "owner" and _names(p, visitor) for p in permissions
    )


def is_visible(content: Record, permissions: Iterable[Record], visitor: Principal) -> bool:
    """What ``GET v1/content`` lists for this caller (an administrator sees everything)."""
    return visitor.role == "administrator" or decide(content, permissions, visitor) is (
        Decision.ALLOW
    )


def app_role(content: Record, permissions: Iterable[Record], visitor: Principal) -> str:
    """Connect's ``app_role`` of the caller: owner, editor, viewer or none."""
    if visitor.user_guid == content.get("owner_guid"):
        return "owner"
    permissions = list(permissions)
    if is_editor(content, permissions, visitor):
        return "editor"
    return "viewer" if decide(content, permissions, visitor) is Decision.ALLOW else "none"
