"""Connect API paths built from a record's parts, each part checked first.

A record comes back from a pull request comment, which anyone with write
access (or a workflow of a pull request) can edit. ``requests`` removes dot
segments, so an unchecked ``bundle_id = "../../<guid>"`` turns ``DELETE
v1/content/<guid>/bundles/<id>`` into ``DELETE v1/content/<guid>``. Here a GUID
is a canonical UUID and a bundle id decimal digits, or the part is refused
(``RecordError``) before any path exists.
"""

from __future__ import annotations

import re

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
BUNDLE_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


class RecordError(ValueError):
    """A record (or one of its parts) that cannot be trusted; the message names it and the fix."""


def checked_guid(value: object, field: str = "guid") -> str:
    """``value`` if it is a lower-case canonical UUID (as Connect writes them), else RecordError."""
    if not isinstance(value, str) or GUID.fullmatch(value) is None:
        raise RecordError(f"{field} = {value!r} is not a content GUID (a UUID); refused")
    return value


def checked_bundle_id(value: object, field: str = "bundle_id") -> str:
    """``value`` if it is decimal digits (a Connect bundle id), else RecordError."""
    if not isinstance(value, str) or BUNDLE_ID.fullmatch(value) is None:
        raise RecordError(f"{field} = {value!r} is not a bundle id (decimal digits); refused")
    return value


def content_path(guid: str) -> str:
    return f"v1/content/{checked_guid(guid)}"


def bundle_path(guid: str, bundle_id: str) -> str:
    return f"{content_path(guid)}/bundles/{checked_bundle_id(bundle_id)}"
