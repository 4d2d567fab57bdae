"""Connect's rule for vanity paths, shared by the runner, the stand-in and the deploy tool.

A vanity path uses only ``[A-Za-z0-9_/-]``, has no empty segment, and may not
start with Connect's own routes (``/content``, ``/connect``, ``/__``, in any case).
"""

from __future__ import annotations

import re

VANITY_PATTERN = re.compile(r"/(?:[A-Za-z0-9_-]+/)+")
RESERVED_VANITY_PREFIXES = ("/content", "/connect", "/__")


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
    if path.lower().startswith(RESERVED_VANITY_PREFIXES):
        raise InvalidVanity(
            f"vanity path {vanity!r} is not valid: it may not start with "
            + ", ".join(RESERVED_VANITY_PREFIXES)
        )
    return path
