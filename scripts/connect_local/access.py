"""Who may view a content item, decided as Connect decides it.

- ``all``: anyone, anonymous visitors included;
- ``logged_in``: any signed-in visitor;
- ``acl``: the owner, and users or members of groups with a permission.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from scripts.connect_local.directory import Visitor
from scripts.connect_local.store import Record

ACCESS_TYPES = ("all", "logged_in", "acl")


class Decision(Enum):
    ALLOW = "allow"
    LOGIN = "login"  # anonymous visitor, content needs a signed-in one
    DENY = "deny"  # signed in, but not on the list


def decide(content: Record, permissions: Iterable[Record], visitor: Visitor) -> Decision:
    access_type = content.get("access_type", "acl")
    if access_type == "all":
        return Decision.ALLOW
    if visitor.is_anonymous:
        return Decision.LOGIN
    if access_type == "logged_in" or visitor.user_guid == content.get("owner_guid"):
        return Decision.ALLOW
    for permission in permissions:
        principal = permission.get("principal_guid")
        if permission.get("principal_type") == "user" and principal == visitor.user_guid:
            return Decision.ALLOW
        if permission.get("principal_type") == "group" and principal in visitor.group_guids:
            return Decision.ALLOW
    return Decision.DENY
