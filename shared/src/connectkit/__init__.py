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
``chrome``, ``static_assets``, ``factory``; ``panels`` (KPI cards, filters,
titled charts and their shared look) stands on Dash alone.

``__all__`` is what apps use, no more (tests/connectkit/test_public_names.py
keeps it so); the tooling and the tests import the rest from its module.
"""

from connectkit.access import access_from_environ, require_groups, scope_for
from connectkit.directory import group_display_names, visitor_display_name
from connectkit.factory import create_app
from connectkit.groups import has_required_group
from connectkit.identity import current_visitor
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
from connectkit.visitor import Visitor

__all__ = [
    "CHART_LAYOUT",
    "GRID_COLOUR",
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
    "require_groups",
    "scope_for",
    "strip_prefix",
    "titled_chart",
    "visitor_access_advice",
    "visitor_display_name",
]
