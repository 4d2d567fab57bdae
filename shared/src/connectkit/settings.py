"""Reading settings from the environment: one error type, and the readers
every app uses (yes/no, numbers, whole numbers).

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


def read_number(
    environ: Mapping[str, str],
    name: str,
    *,
    default: float,
    low: float,
    high: float,
    unit: str = "",
    hint: str = "",
) -> float:
    """A number from ``low`` to ``high`` (unset or empty: ``default``); else a SettingError.

    ``unit`` names what it counts ("seconds"); ``hint`` adds what a value means
    ("0 asks the database on every change of filters").
    """
    raw = environ.get(name, "")
    text = raw.strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN and infinities fail here too
        what = f"{unit} from {low:g} to {high:g}" if unit else f"a number from {low:g} to {high:g}"
        raise SettingError(f"{name} is {raw!r}; expected {what}" + (f" ({hint})" if hint else ""))
    return value


def read_whole_number(
    environ: Mapping[str, str],
    name: str,
    *,
    default: int,
    low: int = 1,
    high: int | None = None,
    unit: str = "",
) -> int:
    """A whole number (``1_000_000`` allowed) from ``low`` to ``high``; else a SettingError."""
    raw = environ.get(name, "")
    text = raw.strip().replace("_", "")
    if not text:
        return default
    value = int(text) if text.isdigit() else None
    if value is None or value < low or (high is not None and value > high):
        bounds = f"from {low:,} to {high:,}" if high is not None else f"of at least {low:,}"
        noun = f"whole number of {unit}" if unit else "whole number"
        raise SettingError(f"{name} is {raw!r}; expected a {noun} {bounds}")
    return value
