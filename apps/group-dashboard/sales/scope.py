"""Where the demo's sales happen: regions and their countries.

The scope setting (``DASHBOARD_SCOPES``) is checked against these regions at
start-up, before any database is opened, so this module imports nothing.
"""

from __future__ import annotations

# Every country belongs to exactly one region: a region scope is a set of countries.
REGIONS: dict[str, tuple[str, ...]] = {
    "EMEA": ("United Kingdom", "Germany", "France", "Spain", "Italy", "South Africa", "UAE"),
    "AMER": ("United States", "Canada", "Brazil", "Mexico"),
    "APAC": ("Japan", "Australia", "India", "Singapore"),
}
COUNTRIES: tuple[str, ...] = tuple(c for cs in REGIONS.values() for c in cs)
REGION_OF: dict[str, str] = {c: r for r, cs in REGIONS.items() for c in cs}
