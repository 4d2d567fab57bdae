"""Connect's rule for vanity paths, shared by the runner, the stand-in and the deploy tool.

A vanity path uses only ``[A-Za-z0-9_/-]``, has no empty segment, and may not
start with one of the prefixes Connect's admin guide prohibits ("Vanity path
restrictions": https://docs.posit.co/connect/admin/content-management/), in any
case. The guide says "path prefixes" without saying whether ``/appsales/``
starts with ``/apps``: the stricter reading is taken (plain text prefixes).
"""

from __future__ import annotations

import re

VANITY_PATTERN = re.compile(r"/(?:[A-Za-z0-9_-]+/)+")
RESERVED_VANITY_PREFIXES = (
    "/__", "/favicon.ico", "/connect", "/apps", "/users", "/groups", "/setpassword",
    "/user-completion", "/confirm", "/recent", "/reports", "/plots", "/unpublished",
    "/settings", "/metrics", "/tokens", "/help", "/login", "/welcome", "/register",
    "/resetpassword", "/content",
)  # fmt: skip


class InvalidVanity(ValueError):
    """A vanity path Connect would refuse; the message says why and gives an example."""


def normalise_vanity(vanity: object) -> str:
    """``sales`` or ``/sales`` -> ``/sales/``; InvalidVanity when Connect would refuse it."""
    if not isinstance(vanity, str):
        raise InvalidVanity(f"vanity path {vanity!r} is not text: expected e.g. /sales-dashboard/")
    path = "/" + vanity.strip().strip("/") + "/"
    if path == "//" or not VANITY_PATTERN.fullmatch(path):
        raise InvalidVanity(
            f"vanity path {vanity!r} is not valid: expected letters, digits, '_', '-' "
            "and '/', e.g. /sales-dashboard/"
        )
    reserved = [p for p in RESERVED_VANITY_PREFIXES if path.lower().startswith(p)]
    if reserved:
        raise InvalidVanity(
            f"vanity path {vanity!r} is not valid: it may not start with {reserved[0]} "
            "(Connect keeps it for itself); choose another path, e.g. /sales-dashboard/"
        )
    return path
