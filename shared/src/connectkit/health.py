"""The health route: what runners poll for readiness, and the one path the gate leaves open.

``create_app`` asks Dash to answer it (``health_endpoint``); the gate
(``connectkit.access``) lets it through. It answers "OK" and reveals nothing.
"""

from __future__ import annotations

HEALTH_PATH = "health"  # answered at <prefix>health
