"""``server_settings`` (no key needed) and ``v1/server_settings/python``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from scripts.connect_local.api.common import current_config, current_deployer

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("server_settings", __name__)


@routes.get("/server_settings")
def server_settings() -> Response:
    return jsonify(
        {"version": current_config().version, "hostname": "connect-local", "license": {}}
    )


@routes.get("/v1/server_settings/python")
def python_settings() -> Response:
    versions = current_deployer().identity.installations()
    return jsonify({"installations": [{"version": v} for v in versions], "api_enabled": True})
