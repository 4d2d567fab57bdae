"""Users and groups: who can own, be granted, and visit content.

Connect learns users from its authentication provider; the stand-in learns
them from the command line (``--user``, ``--visitor``), the login page and
``POST v1/groups``. Names are unique here (Connect does not promise that).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from scripts.connect_local.store import Record, Store

ROLES = ("viewer", "publisher", "administrator")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Principal:
    """Whoever a content request comes from; ``username`` is None when anonymous."""

    username: str | None = None
    user_guid: str | None = None
    group_names: tuple[str, ...] = ()
    group_guids: tuple[str, ...] = ()
    role: str = "viewer"  # the user's Connect role: viewer, publisher or administrator

    @property
    def is_anonymous(self) -> bool:
        return self.username is None


ANONYMOUS_PRINCIPAL = Principal()


def parse_visitor_spec(spec: str) -> tuple[str, list[str]]:
    """``alice:analysts,sales`` -> ("alice", ["analysts", "sales"])."""
    name, _, groups = spec.partition(":")
    return name.strip(), [g.strip() for g in groups.split(",") if g.strip()]


def find_user(store: Store, username: str) -> Record | None:
    with store.read() as state:
        return next((u for u in state["users"].values() if u["username"] == username), None)


def find_group(store: Store, name: str) -> Record | None:
    with store.read() as state:
        return next((g for g in state["groups"].values() if g["name"] == name), None)


def ensure_user(store: Store, username: str, role: str = "viewer") -> Record:
    """The user called ``username``, created on first use."""
    if not username or len(username) > 64:
        raise ValueError(f"user name {username!r} must be 1 to 64 characters")
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    with store.change() as state:
        existing = find_user(store, username)
        if existing is not None:
            return existing
        stamp = now_iso()
        user = {
            "guid": str(uuid.uuid4()),
            "username": username,
            "email": f"{username}@connect-local.invalid",
            "first_name": username,
            "last_name": "",
            "user_role": role,
            "created_time": stamp,
            "updated_time": stamp,
            "active_time": stamp,
            "confirmed": True,
            "locked": False,
        }
        state["users"][user["guid"]] = user
        return user


def set_role(store: Store, username: str, role: str) -> Record:
    """The user called ``username`` (created on first use) with exactly this role."""
    user = ensure_user(store, username, role)
    with store.change() as state:
        state["users"][user["guid"]]["user_role"] = role
        return dict(state["users"][user["guid"]])


def ensure_group(store: Store, name: str, owner_guid: str | None = None) -> Record:
    """The group called ``name``, created on first use."""
    if not name or len(name) > 64:
        raise ValueError(f"group name {name!r} must be 1 to 64 characters")
    with store.change() as state:
        existing = find_group(store, name)
        if existing is not None:
            return existing
        group = {"guid": str(uuid.uuid4()), "name": name, "owner_guid": owner_guid}
        state["groups"][group["guid"]] = group
        return group


def set_memberships(store: Store, user: Record, group_names: Iterable[str]) -> None:
    """Make ``user`` a member of exactly these groups (created when missing)."""
    guids = [ensure_group(store, name)["guid"] for name in group_names]
    with store.change() as state:
        state["memberships"][user["guid"]] = guids


def is_locked(store: Store, user_guid: str | None) -> bool:
    with store.read() as state:
        return bool(state["users"].get(user_guid or "", {}).get("locked"))


def set_locked(store: Store, user_guid: str, locked: bool) -> Record:
    with store.change() as state:
        user = state["users"][user_guid]
        user["locked"] = locked
        user["updated_time"] = now_iso()
        return dict(user)


def add_member(store: Store, group_guid: str, user_guid: str) -> bool:
    """Make the user a member; False when they already were."""
    with store.change() as state:
        guids = state["memberships"].setdefault(user_guid, [])
        if group_guid in guids:
            return False
        guids.append(group_guid)
        return True


def remove_member(store: Store, group_guid: str, user_guid: str) -> None:
    with store.change() as state:
        guids = state["memberships"].get(user_guid, [])
        state["memberships"][user_guid] = [g for g in guids if g != group_guid]


def delete_group(store: Store, group_guid: str) -> None:
    """The group, its memberships and the content permissions that name it."""
    with store.change() as state:
        state["groups"].pop(group_guid, None)
        for user_guid, guids in state["memberships"].items():
            state["memberships"][user_guid] = [g for g in guids if g != group_guid]
        for guid, permissions in state["permissions"].items():
            state["permissions"][guid] = [
                p for p in permissions if p["principal_guid"] != group_guid
            ]


def groups_of(store: Store, user_guid: str) -> list[Record]:
    with store.read() as state:
        guids = state["memberships"].get(user_guid, [])
        return [state["groups"][g] for g in guids if g in state["groups"]]


def members_of(store: Store, group_guid: str) -> list[Record]:
    with store.read() as state:
        return [
            state["users"][user_guid]
            for user_guid, guids in state["memberships"].items()
            if group_guid in guids and user_guid in state["users"]
        ]


def visitor_for(store: Store, username: str) -> Principal:
    """The visitor record of a known user; anonymous for an unknown name."""
    user = find_user(store, username)
    if user is None:
        return ANONYMOUS_PRINCIPAL
    groups = groups_of(store, user["guid"])
    return Principal(
        username=user["username"],
        user_guid=user["guid"],
        group_names=tuple(g["name"] for g in groups),
        group_guids=tuple(g["guid"] for g in groups),
        role=user.get("user_role", "viewer"),
    )


def visitor_by_guid(store: Store, user_guid: str) -> Principal:
    with store.read() as state:
        user = state["users"].get(user_guid)
    return ANONYMOUS_PRINCIPAL if user is None else visitor_for(store, user["username"])


def register_visitor(store: Store, spec: str) -> Principal:
    """Create (or update) the user a ``name:group,group`` spec describes."""
    username, group_names = parse_visitor_spec(spec)
    user = ensure_user(store, username)
    set_memberships(store, user, group_names)
    return visitor_for(store, username)
