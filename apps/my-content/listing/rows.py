"""One content item as the page shows it: title, access, the visitor's role, last deploy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ACCESS_LABELS = {
    "all": "Anyone, no login needed",
    "logged_in": "All signed-in users",
    "acl": "Specific users or groups",
}
ROLE_LABELS = {"owner": "Owner", "editor": "Collaborator", "viewer": "Viewer"}


@dataclass(frozen=True)
class ContentRow:
    title: str
    access: str  # a label from ACCESS_LABELS
    role: str  # a label from ROLE_LABELS
    last_deployed: str  # "2026-01-31 14:05 UTC", or "never"
    url: str
    owned: bool

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> ContentRow:
        """From ``GET v1/content``'s JSON for one item (as the visitor sees it)."""
        access_type = str(item.get("access_type") or "")
        role = str(item.get("app_role") or "viewer")
        return cls(
            title=str(item.get("title") or item.get("name") or item.get("guid") or "untitled"),
            access=ACCESS_LABELS.get(access_type, access_type or "unknown"),
            role=ROLE_LABELS.get(role, role),
            last_deployed=deployed_text(item.get("last_deployed_time")),
            url=str(item.get("content_url") or ""),
            owned=role == "owner",
        )


def deployed_text(value: object) -> str:
    """Connect's ISO-8601 time as "YYYY-MM-DD HH:MM UTC"; "never" when unset or unreadable."""
    if not isinstance(value, str) or not value:
        return "never"
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "never"
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def sorted_rows(items: Iterable[Mapping[str, Any]]) -> list[ContentRow]:
    """The visitor's own items first, then the rest, each by title."""
    rows = [ContentRow.from_api(item) for item in items]
    return sorted(rows, key=lambda row: (not row.owned, row.title.lower()))
