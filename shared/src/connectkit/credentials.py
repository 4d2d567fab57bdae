"""The ``RStudio-Connect-Credentials`` header's format: read it, write it (pure, no Flask).

Connect sends ``{"user": "...", "groups": [...]}`` on every request from a
logged-in visitor and no header for anonymous ones. With the admin setting
``Authorization.ContentCredentialsUseGUID`` both carry GUIDs instead of names;
the caller says which (``Mode``), since the values alone cannot tell.

Policy for bad input (never an exception, never the raw value in a log):

- missing, empty, or ``user`` missing / null / ``""``: anonymous, silently
  (these are how an anonymous visitor can look);
- larger than 16 KiB, invalid UTF-8, not JSON, JSON that is not an object,
  a repeated field, ``user`` not a string, blank or holding control
  characters: anonymous, and a warning;
- ``groups`` not a list: the user is kept without groups; a ``groups`` entry
  that is not a clean, non-blank string: that entry is dropped; extra fields:
  ignored. Each with a warning. Dropping groups can only take access away,
  never grant it.

Each kind of problem is logged once per process (``ProblemLog``), so a
misbehaving client cannot flood the log. Whether the header is believed at
all is the trust rule (``connectkit.trust``), applied by ``connectkit.identity``.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from connectkit.visitor import ANONYMOUS, Mode, Visitor

HEADER = "RStudio-Connect-Credentials"
ENVIRON_KEY = "HTTP_RSTUDIO_CONNECT_CREDENTIALS"  # the same header in the WSGI environ
MAX_HEADER_BYTES = 16 * 1024
KNOWN_FIELDS = frozenset({"user", "groups"})

logger = logging.getLogger(__name__)


class Problem(StrEnum):
    """A kind of malformed header; the value is what the warning says."""

    TOO_LARGE = f"it is larger than {MAX_HEADER_BYTES // 1024} KiB; visitor is anonymous"
    NOT_UTF8 = "it is not valid UTF-8; visitor is anonymous"
    NOT_JSON = "it is not valid JSON; visitor is anonymous"
    NOT_OBJECT = "it is JSON but not an object; visitor is anonymous"
    REPEATED_FIELD = "a field appears twice; visitor is anonymous"
    USER_NOT_STRING = '"user" is not a string; visitor is anonymous'
    USER_INVALID = '"user" is blank or holds control characters; visitor is anonymous'
    GROUPS_NOT_LIST = '"groups" is not a list; the user is kept without groups'
    GROUP_INVALID = 'a "groups" entry is not a non-blank string; that entry is dropped'
    EXTRA_FIELDS = 'it has fields besides "user" and "groups"; they are ignored'


@dataclass(frozen=True)
class Credentials:
    """What parsing found: the visitor, and every problem on the way."""

    visitor: Visitor
    problems: frozenset[Problem] = field(default_factory=frozenset)


def credentials_header(user: str | None, groups: Iterable[str] = ()) -> str | None:
    """The header value Connect sends for this visitor, or None for an anonymous one.

    The one writer of the format: the local runner, the Connect stand-in and
    tests build the header here. Blank groups are left out, as Connect would.
    """
    if not user:
        return None
    return json.dumps({"user": user, "groups": [g for g in groups if g]})


def _is_clean_text(value: str) -> bool:
    """Non-blank, no control characters, no lone surrogates (unencodable)."""
    if not value.strip():
        return False
    return all(unicodedata.category(char) not in ("Cc", "Cs") for char in value)


class _RepeatedField(ValueError):
    pass


def _reject_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _RepeatedField
    return dict(pairs)


def _anonymous(problem: Problem) -> Credentials:
    return Credentials(ANONYMOUS, frozenset({problem}))


def _decode(raw: str | bytes) -> str | Problem:
    if isinstance(raw, bytes):
        if len(raw) > MAX_HEADER_BYTES:
            return Problem.TOO_LARGE
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return Problem.NOT_UTF8
    try:
        size = len(raw.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: not text any wire could carry
        return Problem.NOT_UTF8
    return Problem.TOO_LARGE if size > MAX_HEADER_BYTES else raw


def _load_object(raw: str | bytes) -> dict[str, Any] | Credentials:
    """The header's JSON object, or the (anonymous) credentials a bad header gives."""
    text = _decode(raw)
    if isinstance(text, Problem):
        return _anonymous(text)
    if not text.strip():
        return Credentials(ANONYMOUS)
    try:
        data = json.loads(text, object_pairs_hook=_reject_repeats)
    except _RepeatedField:
        return _anonymous(Problem.REPEATED_FIELD)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return _anonymous(Problem.NOT_JSON)
    if not isinstance(data, dict):
        return _anonymous(Problem.NOT_OBJECT)
    return data


def _clean_groups(raw_groups: Any, problems: set[Problem]) -> tuple[str, ...]:
    groups: dict[str, None] = {}  # ordered, duplicates dropped in linear time
    if raw_groups is None:
        pass  # Connect may send null or omit groups (e.g. under LDAP)
    elif not isinstance(raw_groups, list):
        problems.add(Problem.GROUPS_NOT_LIST)
    else:
        for group in raw_groups:
            if isinstance(group, str) and _is_clean_text(group):
                groups[group] = None
            else:
                problems.add(Problem.GROUP_INVALID)
    return tuple(groups)


def read_credentials(raw: str | bytes | None, mode: Mode = Mode.NAMES) -> Credentials:
    """Parse the header's raw value (pure); see the module docstring for the policy.

    ``mode`` is what the server sends (a setting), stamped on the visitor.
    """
    if raw is None:
        return Credentials(ANONYMOUS)
    data = _load_object(raw)
    if isinstance(data, Credentials):
        return data
    problems: set[Problem] = set()
    if not KNOWN_FIELDS.issuperset(data):
        problems.add(Problem.EXTRA_FIELDS)
    user = data.get("user")
    if user is None or user == "":
        return Credentials(ANONYMOUS, frozenset(problems))
    if not isinstance(user, str):
        return _anonymous(Problem.USER_NOT_STRING)
    if not _is_clean_text(user):
        return _anonymous(Problem.USER_INVALID)
    groups = _clean_groups(data.get("groups"), problems)
    return Credentials(Visitor(user=user, groups=groups, mode=mode), frozenset(problems))


def parse_credentials(raw: str | bytes | None, mode: Mode = Mode.NAMES) -> Visitor:
    """The visitor the header's raw value describes; anything malformed is anonymous."""
    return read_credentials(raw, mode).visitor


def environ_header_bytes(value: str) -> bytes | str:
    """The header's bytes from a WSGI environ value.

    WSGI servers decode header bytes as latin-1 (PEP 3333), so a UTF-8 name
    such as "José" arrives as "JosÃ©"; encoding back to latin-1 recovers the
    bytes. A character beyond latin-1 cannot come from a real server, only
    from an in-process test client that put text there: it stays text.
    """
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value


class ProblemLog:
    """Logs each kind of header problem once (per instance: once per process)."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self._log = log
        self._seen: set[Problem] = set()
        self._lock = threading.Lock()

    def report(self, problems: Iterable[Problem]) -> None:
        for problem in sorted(problems):
            with self._lock:
                if problem in self._seen:
                    continue
                self._seen.add(problem)
            self._log.warning(
                "Malformed %s header: %s. (This kind of problem is logged once.)",
                HEADER,
                problem.value,
            )
