"""Who is visiting: the ``RStudio-Connect-Credentials`` header as a typed value.

Connect sends ``{"user": "...", "groups": [...]}`` on every request from a
logged-in visitor and no header for anonymous ones. With the admin setting
``Authorization.ContentCredentialsUseGUID`` both carry GUIDs instead of names.

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

Each kind of problem is logged once per process, so a misbehaving client
cannot flood the log. Whether the header is believed at all is the trust
rule (``connectkit.trust``): ``current_visitor()`` applies it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import flask

from connectkit.trust import HeaderTrust, header_trust

HEADER = "RStudio-Connect-Credentials"
ENVIRON_KEY = "HTTP_RSTUDIO_CONNECT_CREDENTIALS"  # the same header in the WSGI environ
MAX_HEADER_BYTES = 16 * 1024
KNOWN_FIELDS = frozenset({"user", "groups"})
TRUST_CONFIG_KEY = "CONNECTKIT_HEADER_TRUST"  # where create_app keeps the decision

logger = logging.getLogger(__name__)

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Mode(StrEnum):
    """What the header's values are: names, or GUIDs (ContentCredentialsUseGUID)."""

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


def is_guid(value: str) -> bool:
    """True for a GUID such as Connect's ``6f300623-1e0c-48e6-a473-ddf630c0c0c3``."""
    return _GUID.fullmatch(value) is not None


def _is_clean_text(value: str) -> bool:
    """Non-blank, no control characters, no lone surrogates (unencodable)."""
    if not value.strip():
        return False
    return all(unicodedata.category(char) not in ("Cc", "Cs") for char in value)


def _reject_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _RepeatedField
    return dict(pairs)


class _RepeatedField(ValueError):
    pass


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


def read_credentials(raw: str | bytes | None) -> Credentials:
    """Parse the header's raw value (pure); see the module docstring for the policy."""
    if raw is None:
        return Credentials(ANONYMOUS)
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

    raw_groups = data.get("groups")
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
    mode = Mode.GUIDS if is_guid(user) else Mode.NAMES
    return Credentials(Visitor(user=user, groups=tuple(groups), mode=mode), frozenset(problems))


def parse_credentials(raw: str | bytes | None) -> Visitor:
    """The visitor the header's raw value describes; anything malformed is anonymous."""
    return read_credentials(raw).visitor


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


def group_matches(visitor_group: str, configured: str) -> bool:
    """One of the visitor's groups against one configured group (name or GUID).

    GUIDs compare case-insensitively; names exactly. A name never matches a
    GUID: in GUID mode, configure gates with GUIDs (names may not be unique,
    which is why Connect offers GUIDs at all).
    """
    if is_guid(configured):
        return is_guid(visitor_group) and visitor_group.lower() == configured.lower()
    return visitor_group == configured


def matching_groups(visitor: Visitor, configured: Iterable[str]) -> tuple[str, ...]:
    """The configured groups (names or GUIDs) that the visitor belongs to."""
    wanted = [c.strip() for c in configured if c.strip()]
    return tuple(c for c in wanted if any(group_matches(g, c) for g in visitor.groups))


def in_any_group(visitor: Visitor, configured: Iterable[str]) -> bool:
    """True when the visitor belongs to at least one configured group."""
    return bool(matching_groups(visitor, configured))


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


_problem_log = ProblemLog()


def init_identity(server: flask.Flask, environ: Mapping[str, str]) -> HeaderTrust:
    """Decide once, at start-up, whether this app believes the header; warn if not."""
    trust = header_trust(environ)
    server.config[TRUST_CONFIG_KEY] = trust
    if trust.trusted:
        logger.info("%s header trusted: %s", HEADER, trust.reason)
    else:
        logger.warning(
            "%s header will be IGNORED and every visitor is anonymous: %s. "
            "Serve the app on Posit Connect, or locally with `make run APP=<name>`.",
            HEADER,
            trust.reason,
        )
    return trust


def _trust_for(server: flask.Flask) -> HeaderTrust:
    trust = server.config.get(TRUST_CONFIG_KEY)
    if not isinstance(trust, HeaderTrust):  # an app not built by create_app
        trust = init_identity(server, os.environ)
    return trust


def current_visitor() -> Visitor:
    """The visitor of the request being served (anonymous outside a request,
    and wherever the header cannot be trusted)."""
    if not flask.has_request_context():
        return ANONYMOUS
    if not _trust_for(flask.current_app).trusted:
        return ANONYMOUS
    value = flask.request.environ.get(ENVIRON_KEY)
    if not isinstance(value, str):
        return ANONYMOUS
    credentials = read_credentials(environ_header_bytes(value))
    _problem_log.report(credentials.problems)
    return credentials.visitor
