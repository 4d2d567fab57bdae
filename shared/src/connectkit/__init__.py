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
``directory`` (names for GUIDs), ``access`` (gate and scopes), ``navigation``,
``chrome``, ``static_assets``, ``factory``.
"""

from connectkit.access import (
    Scope,
    parse_group_list,
    parse_scope_grants,
    require_groups,
    scope_for,
)
from connectkit.chrome import navbar, page
from connectkit.credentials import HEADER, credentials_header, parse_credentials
from connectkit.directory import current_directory, group_display_names, visitor_display_name
from connectkit.factory import create_app
from connectkit.groups import has_required_group
from connectkit.health import HEALTH_PATH
from connectkit.identity import USE_GUIDS_ENV, current_visitor
from connectkit.navigation import page_navigation, strip_prefix
from connectkit.settings import SettingError
from connectkit.trust import CONNECT, LOCAL_RUNNER, PRODUCT_ENVS, TRUSTED_FRONTEND_ENV
from connectkit.visitor import ANONYMOUS, Mode, Visitor, is_guid

__all__ = [
    "ANONYMOUS",
    "CONNECT",
    "HEADER",
    "HEALTH_PATH",
    "LOCAL_RUNNER",
    "PRODUCT_ENVS",
    "TRUSTED_FRONTEND_ENV",
    "USE_GUIDS_ENV",
    "Mode",
    "Scope",
    "SettingError",
    "Visitor",
    "create_app",
    "credentials_header",
    "current_directory",
    "current_visitor",
    "group_display_names",
    "has_required_group",
    "is_guid",
    "navbar",
    "page",
    "page_navigation",
    "parse_credentials",
    "parse_group_list",
    "parse_scope_grants",
    "require_groups",
    "scope_for",
    "strip_prefix",
    "visitor_display_name",
]
