"""What the page reads from Connect, with the visitor's own client.

The client is the visitor's (``connectkit.VisitorClients``: Connect's OAuth
session-token exchange), so Connect decides what each visitor may read:

- ``GET v1/content``: the content the visitor may see, kept where Connect
  gives them its visits (administrators: all; publishers: their own and
  those they collaborate on, ``app_role`` owner or editor), so an app whose
  visits the visitor may not read is not shown as "not opened" either;
- ``GET v1/content/{guid}/tags``: each item's tags (for the tag filter);
- ``GET v1/instrumentation/content/visits``: cursor-paged as posit-sdk's
  ``CursorPaginator`` reads it (``limit`` 500, ``next`` cursor). Connect
  serves it to administrators (every visit) and publishers (content they own
  or collaborate on); a viewer is refused (``UsageRefused``, explained in a
  sentence). The visits are kept only for content the visitor may see, so a
  visitor never gets a figure about an app they cannot open.
- ``GET v1/users/{guid}``: the names of the most active visitors.

Reads are bounded: at most ``MAX_CONTENT`` items and ``MAX_PAGES`` pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from visits.summary import App, Visit, parse_visit

VISITS_PATH = "v1/instrumentation/content/visits"
PAGE_SIZE = 500  # Connect's largest page (posit-sdk's _MAX_PAGE_SIZE)
MAX_PAGES = 40  # 20,000 visits: more is a job for a scheduled report, not a page view
MAX_CONTENT = 300
ROLE_RULE = (
    "Connect serves usage data to administrators (every content item) and to "
    "publishers (content they own or collaborate on), not to viewers."
)


class UsageRefused(Exception):
    """Connect will not give this visitor usage data; ``message`` says why, plainly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScopedApp(App):
    owner: str = ""  # the owner's username
    tags: tuple[str, ...] = ()  # "Parent/Child" paths


@dataclass(frozen=True)
class UsageData:
    """One visitor's readable usage: their apps in scope and those apps' visits."""

    username: str
    role: str
    apps: tuple[ScopedApp, ...]
    visits: tuple[Visit, ...]
    names: Mapping[str, str] = field(default_factory=dict)  # user guid -> username
    truncated: bool = False  # more visits than MAX_PAGES pages


def _tag_paths(
    tags: Sequence[Mapping[str, Any]], every: Mapping[str, Mapping[str, Any]]
) -> tuple[str, ...]:
    def path(tag: Mapping[str, Any], depth: int = 0) -> str:
        parent = every.get(str(tag.get("parent_id") or ""))
        if parent is None or depth > 20:
            return str(tag["name"])
        return f"{path(parent, depth + 1)}/{tag['name']}"

    paths = {path(t) for t in tags}
    return tuple(sorted(p for p in paths if not any(o.startswith(p + "/") for o in paths)))


def _readable(item: Mapping[str, Any], role: str) -> bool:
    """Whether Connect gives this caller the item's visits: an administrator any item's,
    a publisher only those of items they own or collaborate on (``app_role``)."""
    return role == "administrator" or item.get("app_role") in ("owner", "editor")


def _visits(client: Any, since: datetime) -> tuple[list[Visit], bool]:
    found: list[Visit] = []
    cursor: str | None = None
    params: dict[str, Any] = {"from": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "limit": PAGE_SIZE}
    for _ in range(MAX_PAGES):
        page = client.get(VISITS_PATH, params={**params, "next": cursor}).json()
        found += [v for v in map(parse_visit, page.get("results") or []) if v is not None]
        cursor = (page.get("paging") or {}).get("cursors", {}).get("next")
        if not cursor:
            return found, False
    return found, True


def read_usage(client: Any, *, now: datetime, days: int) -> UsageData:
    """The visitor's usage data for the last ``days`` days (UsageRefused when Connect says no)."""
    import requests
    from posit.connect.errors import ClientError

    try:
        me = client.me
        username, role = str(me["username"]), str(me.get("user_role", ""))
        if role == "viewer":
            raise UsageRefused(f"You ({username}) are a viewer on Connect. {ROLE_RULE}")
        items = [i for i in client.get("v1/content").json() if _readable(i, role)][:MAX_CONTENT]
        every_tag = {str(t["id"]): t for t in client.get("v1/tags").json()}
        owners = {}
        apps = []
        for item in items:
            guid = str(item["guid"])
            owner_guid = str(item.get("owner_guid") or "")
            tags = client.get(f"v1/content/{guid}/tags").json()
            apps.append(
                ScopedApp(
                    guid=guid,
                    title=str(item.get("title") or item.get("name") or guid),
                    owner=owner_guid,
                    tags=_tag_paths(tags, every_tag),
                )
            )
            owners[owner_guid] = owner_guid
        visible = {a.guid for a in apps}
        visits, truncated = _visits(client, now - timedelta(days=days))
        visits = [v for v in visits if v.content_guid in visible]
        names = _names(client, {*owners, *(v.user_guid for v in visits if v.user_guid)})
    except ClientError as error:
        if error.http_status == 403:
            raise UsageRefused(
                f"Connect refused your usage data (HTTP 403: {error.error_message}). {ROLE_RULE}"
            ) from None
        raise UsageRefused(
            f"Connect answered HTTP {error.http_status}: {error.error_message}"
        ) from None
    except requests.RequestException as error:
        raise UsageRefused(f"The Connect API did not answer ({type(error).__name__}).") from None
    apps = [
        ScopedApp(a.guid, a.title, owner=names.get(a.owner, a.owner), tags=a.tags) for a in apps
    ]
    return UsageData(
        username=username,
        role=role,
        apps=tuple(sorted(apps, key=lambda a: a.title.lower())),
        visits=tuple(visits),
        names=names,
        truncated=truncated,
    )


MAX_NAMES = 200


def _names(client: Any, guids: set[str]) -> dict[str, str]:
    """Usernames for user GUIDs (at most MAX_NAMES; the rest keep their GUID)."""
    from posit.connect.errors import ClientError

    names = {}
    for guid in sorted(g for g in guids if g)[:MAX_NAMES]:
        try:
            names[guid] = str(client.get(f"v1/users/{guid}").json()["username"])
        except (ClientError, KeyError, ValueError):
            continue
    return names
