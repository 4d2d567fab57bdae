"""connectkit: what every Dash app published to Posit Connect needs.

Attach it explicitly: ``create_app(__name__, title=..., layout=...)`` builds
the Dash object with the page chrome, local Bootstrap CSS, compression and a
health route. ``current_visitor()`` tells who is visiting (the Connect
credentials header, believed only on Connect or behind ``make run``).
Importing this package does no work and never imports pandas, plotly or
posit-sdk.
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
from connectkit.directory import (
    current_directory,
    directory_for,
    group_display_names,
    visitor_display_name,
)
from connectkit.factory import HEALTH_PATH, create_app
from connectkit.identity import (
    ANONYMOUS,
    Mode,
    Visitor,
    current_visitor,
    in_any_group,
    is_guid,
    matching_groups,
    parse_credentials,
)
from connectkit.navigation import page_navigation

__all__ = [
    "ANONYMOUS",
    "HEALTH_PATH",
    "Mode",
    "Scope",
    "Visitor",
    "create_app",
    "current_directory",
    "current_visitor",
    "directory_for",
    "group_display_names",
    "has_required_group",
    "in_any_group",
    "is_guid",
    "matching_groups",
    "navbar",
    "page",
    "page_navigation",
    "parse_credentials",
    "parse_group_list",
    "parse_scope_grants",
    "require_groups",
    "scope_for",
    "visitor_display_name",
]
