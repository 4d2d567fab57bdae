"""The group rule: is this visitor in one of these groups? One rule, one name.

Gates (``connectkit.access.require_groups``) and scopes
(``connectkit.access.scope_for``) both ask it. Configured groups may be names
or GUIDs (Connect's ``ContentCredentialsUseGUID`` mode): names compare exactly,
GUIDs case-insensitively (Connect may print them in either case), and a name
never matches a GUID. In GUID mode, configure gates with GUIDs: names may not
be unique, which is why Connect offers GUIDs at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from connectkit.visitor import Visitor, is_guid


def _same_group(visitor_group: str, configured: str) -> bool:
    if is_guid(configured):
        return is_guid(visitor_group) and visitor_group.lower() == configured.lower()
    return visitor_group == configured


def has_required_group(visitor: Visitor, groups: Iterable[str]) -> bool:
    """True when a signed-in visitor is in at least one of ``groups``.

    Configured values are trimmed and blanks ignored; an empty list admits
    nobody, and an anonymous visitor is in no group.
    """
    if visitor.is_anonymous:
        return False
    wanted = [c.strip() for c in groups if c.strip()]
    return any(_same_group(g, c) for c in wanted for g in visitor.groups)
