"""A content item's environment variables (names only ever go out, never values)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.api.common import content_for, current_deployer, current_store, json_body
from scripts.connect_local.errors import (
    CODE_BAD_REQUEST,
    CODE_DUPLICATE_ENV_NAME,
    CODE_PROHIBITED_ENV_NAME,
    ApiError,
    bad_request,
    refusal,
)
from scripts.connect_rules.limits import PROHIBITED_ENV_PREFIXES

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("environment", __name__)


ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_names(guid: str) -> Response:
    with current_store().read() as state:
        return jsonify(sorted(state["environment"].get(guid, {})))


def _env_changes(body: Any) -> list[tuple[str, str | None]]:
    if not isinstance(body, list):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected a list of {"name": ..., "value": ...}')
    changes: list[tuple[str, str | None]] = []
    for item in body:
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not ENV_NAME_PATTERN.match(name):
            raise ApiError(400, CODE_BAD_REQUEST, f"invalid environment variable name {name!r}")
        if name.startswith(PROHIBITED_ENV_PREFIXES):
            raise bad_request(
                f"{name} is prohibited: Connect sets the {', '.join(PROHIBITED_ENV_PREFIXES)} "
                "variables itself; choose another name",
                CODE_PROHIBITED_ENV_NAME,
            )
        if value is not None and not isinstance(value, str):
            raise ApiError(400, CODE_BAD_REQUEST, f"the value of {name} must be a string or null")
        if any(name == seen for seen, _ in changes):
            raise refusal(CODE_DUPLICATE_ENV_NAME, f"{name} is named twice in one change")
        changes.append((name, value))
    return changes


@routes.get("/v1/content/<guid>/environment")
def get_environment(guid: str) -> Response:
    content_for(guid, edit=True)
    return _env_names(guid)


@routes.route("/v1/content/<guid>/environment", methods=["PATCH", "PUT"])
def set_environment(guid: str) -> Response:
    content_for(guid, edit=True)
    changes = _env_changes(json_body())
    with current_store().change() as state:
        env = {} if request.method == "PUT" else dict(state["environment"].get(guid, {}))
        for name, value in changes:
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        state["environment"][guid] = env
    current_deployer().restart(guid)  # as Connect: running processes restart with the new values
    return _env_names(guid)
