"""Who is visiting: the ``RStudio-Connect-Credentials`` header as a typed value.

Connect sends ``{"user": "...", "groups": [...]}`` on every request from a
logged-in visitor and no header for anonymous ones. Bad input of any kind
becomes the anonymous visitor, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import flask

HEADER = "RStudio-Connect-Credentials"


@dataclass(frozen=True)
class Visitor:
    """A visitor as Connect describes them; ``user`` is None when anonymous."""

    user: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def display_name(self) -> str:
        return self.user if self.user is not None else "anonymous"


ANONYMOUS = Visitor()


def parse_credentials(raw: str | bytes | None) -> Visitor:
    """Turn the header's raw value into a Visitor; anything malformed is anonymous."""
    if not raw:
        return ANONYMOUS
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return ANONYMOUS
    if not isinstance(data, dict):
        return ANONYMOUS
    user = data.get("user")
    if not isinstance(user, str) or not user:
        return ANONYMOUS
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        groups = []
    return Visitor(user=user, groups=tuple(g for g in groups if isinstance(g, str) and g))


def current_visitor() -> Visitor:
    """The visitor of the request being served (anonymous outside a request)."""
    if not flask.has_request_context():
        return ANONYMOUS
    return parse_credentials(flask.request.headers.get(HEADER))
