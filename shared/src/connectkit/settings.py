"""Reading connectkit's settings: one error type, and the yes/no reader.

A setting that cannot be used stops the app at start-up with a message that
names the setting, the value and the fix: a typo must not silently change
who sees what.
"""

from __future__ import annotations

from collections.abc import Mapping

_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"", "0", "false", "no", "off"})


class SettingError(ValueError):
    """A setting's value cannot be used; the message names it and the fix."""


def read_flag(environ: Mapping[str, str], name: str) -> bool:
    """A yes/no setting: unset or empty is no; anything unrecognised is a SettingError."""
    raw = environ.get(name, "")
    value = raw.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise SettingError(
        f"{name} is {raw!r}; expected true or false (also accepted: 1/0, yes/no, on/off)"
    )
