"""Callback inputs checked by type, not only by value.

A callback's inputs come from the browser, and a forged request can make
them anything JSON holds. Checking by value alone lets wrong types through:
``3.0 in (3, 6, 12)`` is true (and then ``range(3.0)`` fails), ``True == 1``,
a string is a sequence of strings. Each reader here takes the raw value and
the label the page shows for the field, and returns the value in its exact
type, or raises ``InputError`` whose message is one sentence the page can
show ("Months ahead must be a whole number; got 3.0."). Lists are capped
(``MAX_ITEMS``) so a huge one costs nothing. Which values are allowed (known
options, the visitor's scope) stays with the app: these read types and sizes.

The request itself is capped too: ``create_app`` sets Flask's
``MAX_CONTENT_LENGTH`` (``MAX_REQUEST_BYTES``), so an oversized callback body
is refused with 413 before it is parsed, before any job is queued.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import RequestEntityTooLarge

MAX_ITEMS = 100  # no option list on these pages comes near it
MAX_TEXT_CHARS = 1000
# A callback body is a few KiB; anything much larger is forged (413 before parsing).
MAX_REQUEST_BYTES = 64 * 1024


class InputError(ValueError):
    """A callback input of the wrong type or size; the message is a sentence for the page."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def whole_number(value: Any, label: str, *, choices: Collection[int] | None = None) -> int:
    """An int (never a bool or a float, even 3.0), one of ``choices`` when given."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(f"{label} must be a whole number; got {_shown(value)}.")
    if choices is not None and value not in choices:
        offered = ", ".join(str(c) for c in choices)
        raise InputError(f"{label} must be one of {offered}; got {value}.")
    return value


def short_text(value: Any, label: str, *, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """A string (None when unset), at most ``max_chars`` long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{label} must be text; got {_shown(value)}.")
    if len(value) > max_chars:
        raise InputError(f"{label} is {len(value):,} characters long; at most {max_chars:,}.")
    return value


def string_list(
    value: Any, label: str, *, max_items: int = MAX_ITEMS, single: bool = False
) -> tuple[str, ...] | None:
    """A flat list of strings (None when unset), at most ``max_items`` of them.

    ``single``: a lone string is accepted as a list of one (a dropdown that
    allows one pick sends its value bare).
    """
    if value is None:
        return None
    if single and isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(f"{label} must be a list of choices; got {_shown(value)}.")
    if len(value) > max_items:
        raise InputError(f"{label} has {len(value):,} choices; at most {max_items:,}.")
    wrong = [v for v in value if not isinstance(v, str) or len(v) > MAX_TEXT_CHARS]
    if wrong:
        raise InputError(f"{label} must hold only names; got {_shown(wrong[0])}.")
    return tuple(value)


def limit_request_size(server: Flask, max_bytes: int = MAX_REQUEST_BYTES) -> None:
    """Refuse a request body over ``max_bytes`` (413, one plain sentence) before it is read."""
    server.config["MAX_CONTENT_LENGTH"] = max_bytes

    def too_large(_error: RequestEntityTooLarge) -> Response:
        sentence = (
            f"This request is larger than the {max_bytes // 1024} KiB a callback of this "
            "app accepts; nothing was run."
        )
        return Response(sentence, status=413, mimetype="text/plain")

    server.register_error_handler(RequestEntityTooLarge, too_large)
