"""connectkit: what every Dash app published to Posit Connect needs.

Attach it explicitly: ``create_app(__name__, title=..., layout=...)`` builds
the Dash object with the page chrome, local Bootstrap CSS, compression and a
health route. ``current_visitor()`` tells who is visiting (the Connect
credentials header, believed only on Connect or behind ``make run``, parsed
once per request). Importing this package does no work and never imports
pandas, plotly or posit-sdk.

Modules, one concept each, each importing only those above it in this list:
``visitor`` (the typed value), ``credentials`` (the header's format: read and
write, pure), ``groups`` (the group rule), ``settings``, ``trust`` (where the
header is believed), ``health``, ``identity`` (the request's visitor),
``connect_api`` (posit-sdk clients with a timeout), ``job_identity`` (the
visitor of a background job, and its result slot), ``directory`` (names for
GUIDs), ``oauth`` (acting as the visitor: Connect's session-token exchange),
``access`` (gate and scopes), ``navigation``,
``chrome``, ``static_assets``, ``factory``.

``__all__`` is what apps use, no more (tests/connectkit/test_public_names.py
keeps it so); the tooling and the tests import the rest from its module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for type checkers; at run time __getattr__ loads them
    from connectkit.access import access_from_environ, require_groups, scope_for
    from connectkit.directory import group_display_names, visitor_display_name
    from connectkit.factory import create_app
    from connectkit.groups import has_required_group
    from connectkit.identity import current_visitor
    from connectkit.job_identity import carry_visitor_into_jobs, job_result_key, job_visitor
    from connectkit.navigation import page_navigation, strip_prefix
    from connectkit.oauth import VisitorAccessError, VisitorAccessReason, VisitorClients
    from connectkit.visitor import Visitor


__all__ = [
    "Visitor",
    "VisitorAccessError",
    "VisitorAccessReason",
    "VisitorClients",
    "access_from_environ",
    "carry_visitor_into_jobs",
    "create_app",
    "current_visitor",
    "group_display_names",
    "has_required_group",
    "job_result_key",
    "job_visitor",
    "page_navigation",
    "require_groups",
    "scope_for",
    "strip_prefix",
    "visitor_display_name",
]

# The module each public name lives in. Loaded on first use (PEP 562), not on
# import: the tooling (deploy, bundle, the stand-in) imports connectkit's pure
# modules (credentials, title) and must not pay for Dash (about 1 s a process).
_MODULE_OF = {
    "Visitor": "visitor",
    "VisitorAccessError": "oauth",
    "VisitorAccessReason": "oauth",
    "VisitorClients": "oauth",
    "access_from_environ": "access",
    "carry_visitor_into_jobs": "job_identity",
    "create_app": "factory",
    "current_visitor": "identity",
    "group_display_names": "directory",
    "has_required_group": "groups",
    "job_result_key": "job_identity",
    "job_visitor": "job_identity",
    "page_navigation": "navigation",
    "require_groups": "access",
    "scope_for": "access",
    "strip_prefix": "navigation",
    "visitor_display_name": "directory",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'connectkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"connectkit.{module}"), name)
    globals()[name] = value  # once: later lookups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
