"""The dashboard's settings: who may open it and which regions each group sees.

Defaults live here; environment variables override them, so a deploy on
Connect changes them without a code change:

- ``DASHBOARD_GROUPS``: comma-separated group names or GUIDs that may open
  the app. Default: every group with a scope below. Set but empty: nobody.
- ``DASHBOARD_SCOPES``: ``group=REGION[,REGION]; ...`` (``*`` = every region).
- ``DASHBOARD_ROWS``: size of the synthetic dataset (default a million).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectkit import parse_group_list, parse_scope_grants
from sales_data import REGIONS, rows_from_environ

GROUPS_SETTING = "DASHBOARD_GROUPS"
SCOPES_SETTING = "DASHBOARD_SCOPES"
DEFAULT_SCOPES = "sales-emea=EMEA; sales-amer=AMER; sales-apac=APAC; admins=*"


@dataclass(frozen=True)
class DashboardSettings:
    allowed_groups: tuple[str, ...]
    scope_grants: dict[str, set[str]] = field(default_factory=dict)
    rows: int = 1_000_000


def load_settings(environ: Mapping[str, str] = os.environ) -> DashboardSettings:
    """Read the settings; an unusable value is an error that names it."""
    grants = parse_scope_grants(
        environ.get(SCOPES_SETTING, DEFAULT_SCOPES), setting=SCOPES_SETTING, known=REGIONS
    )
    if GROUPS_SETTING in environ:
        allowed = parse_group_list(environ[GROUPS_SETTING])
    else:
        allowed = tuple(grants)
    return DashboardSettings(
        allowed_groups=allowed, scope_grants=grants, rows=rows_from_environ(environ)
    )
