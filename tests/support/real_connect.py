"""A real Connect for the `connect` tests, guarded: the suite changes only its own names.

Every name the suite creates starts with ``RUN_PREFIX`` (new for each run and
pytest worker). ``RealConnect`` refuses, before sending it, any write of the
suite's own that would change something without the prefix (``OutsidePrefix``);
``remove_run_names`` deletes what carries the prefix (users, which Connect
cannot delete, are locked); ``Snapshot`` records what is not the run's so the
end of the run can tell whether it changed; ``refuse_if_taken`` stops a run on
a server that already has its names. What only the stand-in has (fault
injection, users with keys of their own, its login form) ends the calling test
as not applicable (``not_applicable``), never as passed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest

from scripts.connect_local.launch import ConnectApi

NOT_APPLICABLE = "not applicable"
# Lower-case letters and digits: valid in content, group and user names and vanity paths.
RUN_PREFIX = f"ct{secrets.token_hex(4)}"
ANY_RUN_PREFIX = re.compile(r"^/?ct[0-9a-f]{8}-")  # this run's or a parallel worker's


def not_applicable(reason: str) -> NoReturn:
    """End the test as not applicable to this server (never as passed)."""
    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


def prefixed(name: str) -> str:
    """``name`` with this run's prefix: every name a ``connect`` test creates."""
    return f"{RUN_PREFIX}-{name}"


class OutsidePrefix(AssertionError):
    """The suite was about to change something on a real server that is not its own."""


# -- a real server -----------------------------------------------------------------------

# Writes the suite sends itself, by path: which record's name must carry the prefix.
_OWNED_PATHS = (
    (re.compile(r"^v1/content/(?P<id>[^/]+)"), "v1/content/{id}", "name"),
    (re.compile(r"^v1/groups/(?P<id>[^/]+)"), "v1/groups/{id}", "name"),
    (re.compile(r"^v1/users/(?P<id>[^/]+)"), "v1/users/{id}", "username"),
    (re.compile(r"^v1/tags/(?P<id>[^/]+)"), "v1/tags/{id}", "name"),
    (re.compile(r"^v1/oauth/integrations/(?P<id>[^/]+)$"), "v1/oauth/integrations/{id}", "name"),
)
# Collections the suite may add to, and the field naming what it adds.
_CREATED_NAMES = {
    "v1/content": "name",
    "v1/groups": "name",
    "v1/users": "username",
    "v1/tags": "name",
    "v1/oauth/integrations": "name",
}


@dataclass
class RealConnect(ConnectApi):
    """A real Connect, guarded: the suite changes only what carries ``RUN_PREFIX``.

    Same calls as the stand-in's ``ConnectLocal``; what only the stand-in has
    makes the calling test not applicable.
    """

    foreign_keys: dict[str, str] = field(default_factory=dict)  # stand-in key -> its user

    # -- the guard ------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> tuple[int, Any]:
        if key is not None and key in self.foreign_keys:
            not_applicable(
                f"needs {self.foreign_keys[key]}'s own API key: the stand-in makes users with "
                "keys from its command line; Connect's API cannot mint a key for another user"
            )
        if method.upper() not in ("GET", "HEAD"):
            self.check_inside_prefix(method, path, body)
        return super().request(method, path, body, key=key)

    def check_inside_prefix(self, method: str, path: str, body: Any) -> None:
        """Raise OutsidePrefix unless this write changes only something of this run's."""
        api_path = path.lstrip("/").removeprefix("__api__/").split("?")[0].rstrip("/")
        if api_path in _CREATED_NAMES and method.upper() == "POST":
            name = body.get(_CREATED_NAMES[api_path]) if isinstance(body, dict) else None
            self._require_prefix(str(name), f"{method} {api_path}")
            return
        for pattern, record_path, name_field in _OWNED_PATHS:
            match = pattern.match(api_path)
            if match:
                status, record = super().request(
                    "GET", f"__api__/{record_path.format(**match.groupdict())}"
                )
                name = (
                    record.get(name_field) if status == 200 and isinstance(record, dict) else None
                )
                self._require_prefix(str(name), f"{method} {api_path}")
                return
        raise OutsidePrefix(f"{method} {api_path}: the suite has no rule for this write")

    @staticmethod
    def _require_prefix(name: str, action: str) -> None:
        if not name.startswith(RUN_PREFIX):
            raise OutsidePrefix(
                f"{action} would change {name!r}, which is not this run's "
                f"(names start with {RUN_PREFIX}): refused"
            )

    # -- what only the stand-in has -------------------------------------------------------

    def fail_next(self, path: str, count: int = 1, method: str = "*") -> None:
        not_applicable("injects failing API calls: the stand-in's /__faults__")

    def fail_builds(self, count: int = 1, message: str = "") -> None:
        not_applicable("injects failing builds: the stand-in's /__faults__")

    def slow_tasks(self, seconds: float) -> None:
        not_applicable("slows tasks down: the stand-in's /__faults__")

    def clear_faults(self) -> None:
        """Nothing was injected."""

    def visitor_cookie(self, user: str, groups: Sequence[str] | None = None) -> str:
        not_applicable("picks a visitor through the stand-in's /__login__ form")

    def log_tail(self, lines: int = 40) -> str:
        return f"(the log of {self.url} is on that server)"

    # -- the run's names ------------------------------------------------------------------

    def run_names(self) -> dict[str, list[dict[str, Any]]]:
        """What carries this run's prefix: content, groups, users."""
        content = self.api("GET", "v1/content")
        groups = self.pages("v1/groups", f"prefix={RUN_PREFIX}")
        users = self.pages("v1/users", f"prefix={RUN_PREFIX}")
        return {
            "content": [c for c in content if str(c.get("name", "")).startswith(RUN_PREFIX)],
            "groups": [g for g in groups if str(g.get("name", "")).startswith(RUN_PREFIX)],
            "users": [
                u
                for u in users
                if str(u.get("username", "")).startswith(RUN_PREFIX) and not u.get("locked")
            ],
        }

    def pages(self, path: str, query: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.api("GET", f"{path}?{query}&page_size=500&page_number={page}")
            found += answer.get("results", [])
            if len(found) >= answer.get("total", 0) or not answer.get("results"):
                return found
            page += 1

    def remove_run_names(self) -> None:
        """Delete this run's content and groups, lock its users (Connect deletes no user)."""
        names = self.run_names()
        for item in names["content"]:
            self.request("DELETE", f"__api__/v1/content/{item['guid']}")
        for group in names["groups"]:
            self.request("DELETE", f"__api__/v1/groups/{group['guid']}")
        for user in names["users"]:
            self.request("POST", f"__api__/v1/users/{user['guid']}/lock", {"locked": True})
        left = self.run_names()
        if any(left.values()):
            raise OutsidePrefix(f"could not remove this run's names from {self.url}: {left}")


# What the suite could change about someone else's content, group or vanity path.
_WATCHED = ("name", "title", "access_type", "bundle_id", "owner_guid", "locked")


def _outside_runs(items: list[dict[str, Any]], name_field: str) -> dict[str, Any]:
    """guid -> its watched fields, for the records no run of this suite made."""
    return {
        str(item.get("guid")): {k: item.get(k) for k in (name_field, *_WATCHED) if k in item}
        for item in items
        if not ANY_RUN_PREFIX.match(str(item.get(name_field, "")))
    }


@dataclass
class Snapshot:
    """The server's content, groups and vanity paths outside any run, at the start.

    Compared at the end: a change there means the suite (or someone else on a
    shared server, at the same time) touched what is not the run's.
    """

    me: str
    content: dict[str, Any]
    groups: dict[str, Any]
    vanities: dict[str, Any]

    @classmethod
    def take(cls, server: RealConnect) -> Snapshot:
        vanities = {str(v["content_guid"]): v["path"] for v in server.api("GET", "v1/vanities")}
        return cls(
            server.api("GET", "v1/user")["guid"],
            _outside_runs(server.api("GET", "v1/content"), "name"),
            _outside_runs(server.pages("v1/groups", "prefix="), "name"),
            {g: p for g, p in vanities.items() if not ANY_RUN_PREFIX.match(p)},
        )

    def changes_since(self, later: Snapshot) -> list[str]:
        said = []
        for kind in ("content", "groups", "vanities"):
            before, after = getattr(self, kind), getattr(later, kind)
            said += [
                f"{kind} {guid}: {record!r} -> {after.get(guid)!r}"
                for guid, record in before.items()
                if after.get(guid) != record
            ]
        said += [
            f"content {guid}: made by the suite's key outside the prefix: {record!r}"
            for guid, record in later.content.items()
            if guid not in self.content and record.get("owner_guid") == self.me
        ]
        return said


def refuse_if_taken(server: RealConnect) -> None:
    """Stop before the first test when the server already has this run's names."""
    taken = {kind: items for kind, items in server.run_names().items() if items}
    vanities = [v for v in server.api("GET", "v1/vanities") if RUN_PREFIX in v["path"]]
    if taken or vanities:
        pytest.exit(
            f"{server.url} already has names starting with {RUN_PREFIX}: {taken or vanities}; "
            "the suite changes only what it made, so it does not run here",
            returncode=2,
        )
