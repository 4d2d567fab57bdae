"""The visitor as Connect describes them: a small typed value, no parsing, no Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Mode(StrEnum):
    """What the header's values are: names, or GUIDs (ContentCredentialsUseGUID).

    A server setting, the same for every visitor: ``connectkit.identity``
    reads it from ``CONNECTKIT_CREDENTIALS_USE_GUIDS``, never from the values.
    """

    NAMES = "names"
    GUIDS = "guids"


@dataclass(frozen=True)
class Visitor:
    """A visitor as Connect describes them; ``user`` is None when anonymous.

    In GUID mode ``user`` and ``groups`` hold GUIDs and ``display_name`` is
    the GUID: ``connectkit.directory.visitor_display_name`` resolves it.
    """

    user: str | None = None
    groups: tuple[str, ...] = ()
    mode: Mode = Mode.NAMES

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def display_name(self) -> str:
        return self.user if self.user is not None else "anonymous"


ANONYMOUS = Visitor()


def is_guid(value: str) -> bool:
    """True for a GUID such as Connect's ``6f300623-1e0c-48e6-a473-ddf630c0c0c3``."""
    return _GUID.fullmatch(value) is not None
