"""connectkit: what every Dash app published to Posit Connect needs.

Attach it explicitly: ``create_app(__name__, title=..., layout=...)`` builds
the Dash object with the page chrome, local Bootstrap CSS, compression and a
health route. Importing this package does no work and never imports pandas
or plotly.
"""

from connectkit.access import (
    Scope,
    has_required_group,
    parse_group_list,
    parse_scope_grants,
    require_groups,
    scope_for,
)
from connectkit.chrome import navbar, page
from connectkit.factory import HEALTH_PATH, create_app
from connectkit.identity import ANONYMOUS, Visitor, current_visitor, parse_credentials
from connectkit.navigation import page_navigation

__all__ = [
    "ANONYMOUS",
    "HEALTH_PATH",
    "Scope",
    "Visitor",
    "create_app",
    "current_visitor",
    "has_required_group",
    "navbar",
    "page",
    "page_navigation",
    "parse_credentials",
    "parse_group_list",
    "parse_scope_grants",
    "require_groups",
    "scope_for",
]
