"""``server_settings`` (no key needed) and ``v1/server_settings/python``."""

from __future__ import annotations

from flask import Response, jsonify

from scripts.connect_local.api.common import api, current_config, current_deployer


@api.get("/server_settings")
def server_settings() -> Response:
    return jsonify(
        {"version": current_config().version, "hostname": "connect-local", "license": {}}
    )


@api.get("/v1/server_settings/python")
def python_settings() -> Response:
    versions = current_deployer().identity.installations()
    return jsonify({"installations": [{"version": v} for v in versions], "api_enabled": True})
