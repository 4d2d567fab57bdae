"""``/__faults__``: failing endpoints, slow tasks, failing builds (tests; the default key)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.api.common import (
    current_config,
    current_faults,
    error_response,
    json_body,
)
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_UNAUTHENTICATED, ApiError
from scripts.connect_local.faults import Unavailable

faults_api = Blueprint("connect_local_faults", __name__, url_prefix="/__faults__")


@faults_api.before_request
def _faults_need_key() -> Response | None:
    key_user = current_config().user_for(request.headers.get("Authorization"))
    if key_user != current_config().api_user_guid:
        return error_response(401, CODE_UNAUTHENTICATED, "fault injection needs the API key")
    return None


@faults_api.get("/")
def show_faults() -> Response:
    return jsonify(current_faults().describe())


@faults_api.delete("/")
def clear_faults() -> Response:
    current_faults().clear()
    return jsonify(current_faults().describe())


@faults_api.post("/unavailable")
def add_unavailable() -> Response:
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("path"), str):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"path": "v1/content/*", "count": 1}')
    rule = Unavailable(
        path=body["path"], method=str(body.get("method", "*")), count=int(body.get("count", 1))
    )
    current_faults().add_unavailable(rule)
    return jsonify(current_faults().describe())


@faults_api.post("/task_delay")
def set_task_delay() -> Response:
    body = json_body()
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, int | float) or seconds < 0:
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"seconds": <number >= 0>}')
    current_faults().task_delay_s = float(seconds)
    return jsonify(current_faults().describe())


@faults_api.post("/failing_builds")
def set_failing_builds() -> Response:
    body = json_body()
    count = body.get("count", 1) if isinstance(body, dict) else None
    if not isinstance(count, int) or count < 0:
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"count": <int >= 0>, "message": "..."}')
    current_faults().failing_builds = count
    if isinstance(body.get("message"), str):
        current_faults().build_failure_message = body["message"]
    return jsonify(current_faults().describe())
