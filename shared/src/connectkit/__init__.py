"""connectkit: what every Dash app published to Posit Connect needs.

Attach it explicitly: ``create_app(__name__, title=..., layout=...)`` builds
the Dash object with the page chrome, local Bootstrap CSS, compression and a
health route; or, in any Dash app, install the package and set
``CONNECTKIT_PLUGIN=true`` (``connectkit.plugin``: Dash loads it as a plugin).
``current_visitor()`` tells who is visiting (the Connect credentials header,
believed only on Connect or behind ``make run``, parsed once per request).
Importing this package does no work and never imports pandas, plotly or
posit-sdk.

Modules, one concept each, each importing only those above it in this list:
``visitor`` (the typed value), ``inputs`` (callback inputs checked by
type and size), ``credentials`` (the header's format: read and
write, pure), ``groups`` (the group rule), ``settings``, ``trust`` (where the
header is believed), ``health``, ``identity`` (the request's visitor),
``connect_api`` (posit-sdk clients with a timeout; a server that did not
answer is remembered briefly), ``job_identity`` (the
visitor of a background job, and its result slot), ``directory`` (names for
GUIDs), ``oauth`` (acting as the visitor: Connect's session-token exchange),
``access`` (gate and scopes), ``navigation``,
``compression``, ``static_assets``, ``plugin`` (what is attached to an app,
and Dash's setup hook), ``entry_point`` (what Dash imports), ``chrome``,
``factory``; ``panels`` (KPI cards, filters, titled charts and their shared
look) stands on Dash alone.

``__all__`` is what apps use, no more (tests/connectkit/test_public_names.py
keeps it so); the tooling and the tests import the rest from its module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"  # the same as shared/pyproject.toml's (make release-check)

if TYPE_CHECKING:  # what the names are, for type checkers; at run time __getattr__ loads them
    from connectkit.access import access_from_environ, require_groups, scope_for
    from connectkit.directory import group_display_names, visitor_display_name
    from connectkit.factory import create_app
    from connectkit.groups import has_required_group
    from connectkit.identity import current_visitor
    from connectkit.inputs import InputError, short_text, string_list, whole_number
    from connectkit.job_identity import carry_visitor_into_jobs, job_result_key, job_visitor
    from connectkit.navigation import page_navigation, strip_prefix
    from connectkit.oauth import (
        VisitorAccessError,
        VisitorClients,
        visitor_access_advice,
    )
    from connectkit.panels import (
        CHART_LAYOUT,
        GRID_COLOUR,
        chart_row,
        kpi_row,
        labelled,
        titled_chart,
    )
    from connectkit.settings import read_number, read_whole_number
    from connectkit.visitor import Visitor


__all__ = [
    "CHART_LAYOUT",
    "GRID_COLOUR",
    "InputError",
    "Visitor",
    "VisitorAccessError",
    "VisitorClients",
    "access_from_environ",
    "carry_visitor_into_jobs",
    "chart_row",
    "create_app",
    "current_visitor",
    "group_display_names",
    "has_required_group",
    "job_result_key",
    "job_visitor",
    "kpi_row",
    "labelled",
    "page_navigation",
    "read_number",
    "read_whole_number",
    "require_groups",
    "scope_for",
    "short_text",
    "string_list",
    "strip_prefix",
    "titled_chart",
    "visitor_access_advice",
    "visitor_display_name",
    "whole_number",
]

# The module each public name lives in. Loaded on first use (PEP 562), not on
# import: the tooling (deploy, bundle, the stand-in) imports connectkit's pure
# modules (credentials, title) and must not pay for Dash (about 1 s a process).
_MODULE_OF = {
    "CHART_LAYOUT": "panels",
    "GRID_COLOUR": "panels",
    "InputError": "inputs",
    "Visitor": "visitor",
    "VisitorAccessError": "oauth",
    "VisitorClients": "oauth",
    "access_from_environ": "access",
    "carry_visitor_into_jobs": "job_identity",
    "chart_row": "panels",
    "create_app": "factory",
    "current_visitor": "identity",
    "group_display_names": "directory",
    "has_required_group": "groups",
    "job_result_key": "job_identity",
    "job_visitor": "job_identity",
    "kpi_row": "panels",
    "labelled": "panels",
    "page_navigation": "navigation",
    "read_number": "settings",
    "read_whole_number": "settings",
    "require_groups": "access",
    "scope_for": "access",
    "short_text": "inputs",
    "string_list": "inputs",
    "strip_prefix": "navigation",
    "titled_chart": "panels",
    "visitor_access_advice": "oauth",
    "visitor_display_name": "directory",
    "whole_number": "inputs",
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
