"""Who is visiting this request: the trust rule and the mode applied, parsed once.

``init_identity`` decides at start-up, from the environment, whether the
header is believed (``connectkit.trust``) and what its values are
(``CONNECTKIT_CREDENTIALS_USE_GUIDS``). ``current_visitor()`` then parses the
request's header the first time it is asked and keeps the visitor on the
request: the gate, the page chrome and every callback of one request share
that one parse (and its problems are reported once).

GUID mode is a setting because the values cannot tell: on a server that sends
names, a user may be named like a GUID. Set ``CONNECTKIT_CREDENTIALS_USE_GUIDS=true``
on content served by a Connect whose ``Authorization.ContentCredentialsUseGUID``
is on; names are then resolved through the Connect API (``connectkit.directory``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import flask

from connectkit.credentials import (
    ENVIRON_KEY,
    HEADER,
    ProblemLog,
    environ_header_bytes,
    read_credentials,
)
from connectkit.settings import read_flag
from connectkit.trust import HeaderTrust, header_trust
from connectkit.visitor import ANONYMOUS, Mode, Visitor

USE_GUIDS_ENV = "CONNECTKIT_CREDENTIALS_USE_GUIDS"
CONFIG_KEY = "CONNECTKIT_IDENTITY"  # where create_app keeps the start-up decision
_VISITOR_KEY = "connectkit.visitor"  # the request's parsed visitor, in its WSGI environ

logger = logging.getLogger(__name__)
_problem_log = ProblemLog(logger)


@dataclass(frozen=True)
class IdentitySettings:
    """Whether this app believes the header, and what its values are."""

    trust: HeaderTrust
    mode: Mode


def credentials_mode(environ: Mapping[str, str]) -> Mode:
    """GUIDS when ``CONNECTKIT_CREDENTIALS_USE_GUIDS`` says so; a bad value is a SettingError."""
    return Mode.GUIDS if read_flag(environ, USE_GUIDS_ENV) else Mode.NAMES


def init_identity(server: flask.Flask, environ: Mapping[str, str]) -> IdentitySettings:
    """Decide once, at start-up, whether and how this app reads the header; warn if not."""
    settings = IdentitySettings(header_trust(environ), credentials_mode(environ))
    server.config[CONFIG_KEY] = settings
    if settings.trust.trusted:
        logger.info(
            "%s header trusted (%s values): %s", HEADER, settings.mode, settings.trust.reason
        )
    else:
        logger.warning(
            "%s header will be IGNORED and every visitor is anonymous: %s. "
            "Serve the app on Posit Connect, or locally with `make run APP=<name>`.",
            HEADER,
            settings.trust.reason,
        )
    return settings


def _settings_for(server: flask.Flask) -> IdentitySettings:
    settings = server.config.get(CONFIG_KEY)
    if not isinstance(settings, IdentitySettings):  # an app not built by create_app
        settings = init_identity(server, os.environ)
    return settings


def connect_headers_trusted() -> bool:
    """Whether this app believes the headers Connect's proxy sets (``connectkit.trust``):
    the credentials header here, the OAuth session token in ``connectkit.oauth``."""
    return flask.has_app_context() and _settings_for(flask.current_app).trust.trusted


def _read_request(environ: Mapping[str, object]) -> Visitor:
    settings = _settings_for(flask.current_app)
    if not settings.trust.trusted:
        return ANONYMOUS
    value = environ.get(ENVIRON_KEY)
    if not isinstance(value, str):
        return ANONYMOUS
    credentials = read_credentials(environ_header_bytes(value), settings.mode)
    _problem_log.report(credentials.problems)
    return credentials.visitor


def current_visitor() -> Visitor:
    """The visitor of the request being served (anonymous outside a request,
    and wherever the header cannot be trusted); parsed once per request."""
    if not flask.has_request_context():
        return ANONYMOUS
    # Kept in the request's own environ: per request by construction, and a
    # client cannot set a key without the HTTP_ prefix.
    environ = flask.request.environ
    visitor = environ.get(_VISITOR_KEY)
    if not isinstance(visitor, Visitor):
        visitor = _read_request(environ)
        environ[_VISITOR_KEY] = visitor
    return visitor
