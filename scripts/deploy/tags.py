"""Tags an app carries (``deploy.tags``): names, or ``Parent/Child`` paths in the tag tree.

Creating a tag takes an administrator (``POST v1/tags``): a tag the server
lacks is created when the deploy runs as one, and refused before the first
write otherwise. Connect adds a tag's parents along with it (and removes them
with it), so the content ends up with exactly the declared tags and their
parents. Absent ``deploy.tags``, an app's tags are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from posit.connect import Client
from posit.connect.content import ContentItem

from scripts.deploy.changes import SettingsRefused


@dataclass(frozen=True)
class TagPlan:
    declared: tuple[str, ...]  # paths
    known: dict[str, str]  # path -> id, for every tag on the server
    missing: tuple[str, ...]  # declared paths to create (with their missing parents)


def _paths(tags: Sequence[Any]) -> dict[str, str]:
    """Every tag's "Parent/Child" path -> its id."""
    by_id = {str(t["id"]): t for t in tags}

    def path(tag: Any, seen: tuple[str, ...] = ()) -> str:
        parent = by_id.get(str(tag.get("parent_id") or ""))
        if parent is None or str(parent["id"]) in seen:
            return str(tag["name"])
        return f"{path(parent, (*seen, str(tag['id'])))}/{tag['name']}"

    return {path(t): str(t["id"]) for t in tags}


def resolve_tags(client: Client, declared: Sequence[str] | None, is_admin: bool) -> TagPlan | None:
    """The server's tags, and the declared ones it lacks (refused if it may not add them)."""
    if declared is None:
        return None
    known = _paths(client.get("v1/tags").json())
    missing = tuple(p for p in declared if p not in known)
    if missing and not is_admin:
        raise SettingsRefused(
            f"deploy.tags {list(missing)!r} do not exist on this server and creating a tag "
            "takes an administrator: ask one to create them, or deploy with an "
            "administrator's key"
        )
    return TagPlan(tuple(declared), known, missing)


def wanted_ids(plan: TagPlan) -> set[str]:
    """The ids the content should carry: each declared tag and its parents."""
    wanted: set[str] = set()
    for path in plan.declared:
        parts = path.split("/")
        wanted.update(
            plan.known[p]
            for i in range(len(parts))
            if (p := "/".join(parts[: i + 1])) in plan.known
        )
    return wanted


def create_missing(client: Client, plan: TagPlan) -> TagPlan:
    """Create the declared tags the server lacks, parents first (an administrator's deploy)."""
    known = dict(plan.known)
    for path in plan.missing:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix not in known:
                parent = known.get("/".join(parts[: depth - 1])) if depth > 1 else None
                body = {"name": parts[depth - 1], **({"parent_id": parent} if parent else {})}
                known[prefix] = str(client.post("v1/tags", json=body).json()["id"])
    return TagPlan(plan.declared, known, ())


def current_tags(content: ContentItem) -> set[str]:
    return {str(t["id"]) for t in content.tags.find()}


def set_tags(client: Client, content: ContentItem, plan: TagPlan) -> None:
    """Remove the undeclared tags, then add the declared ones the content lacks."""
    plan = create_missing(client, plan)
    wanted = wanted_ids(plan)
    for tag_id in sorted(current_tags(content) - wanted):
        if tag_id in current_tags(content):  # removing one may have removed its parents
            content.tags.delete(tag_id)
    have = current_tags(content)
    for path in plan.declared:
        if plan.known[path] not in have:
            content.tags.add(plan.known[path])
            have = current_tags(content)
