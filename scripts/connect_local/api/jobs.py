"""A content item's jobs: ``GET v1/content/{guid}/jobs`` (and ``/{key}``), ``DELETE``
to register a kill order.

A job is one app process the stand-in started for the item (the active bundle
or a draft), newest last; builds are deploy tasks here, not jobs. Owners,
collaborators and administrators only (others 403), as Connect's API
reference says. ``DELETE`` stops the process at once and answers the kill
order; a job that has ended: 409. The next visit starts a new process, as
Connect starts a new job.
"""

from __future__ import annotations

import os
import socket

from flask import Blueprint, Response, jsonify

from scripts.connect_local.api.common import content_for, current_deployer
from scripts.connect_local.app_processes import AppProcess
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NOT_FOUND, ApiError
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("jobs", __name__)

ACTIVE, FINISHED = 0, 1  # Connect's job status codes (2, "finalized", never happens here)
# app_mode -> the job tag Connect gives the process that runs it (posit-sdk's JobTag).
RUN_TAGS = {
    "python-dash": "run_dash_app",
    "python-api": "run_python_api",
    "python-fastapi": "run_fastapi_app",
    "python-streamlit": "run_streamlit",
    "python-bokeh": "run_bokeh_app",
    "python-shiny": "run_pyshiny_app",
}


def _bundle_of(app: AppProcess, content: Record) -> str | None:
    _, _, draft = app.key.partition("/")
    return draft or content.get("bundle_id")


def job_json(app: AppProcess, content: Record) -> Record:
    alive = app.alive()
    return {
        "id": str(app.process.pid),
        "ppid": str(os.getpid()),  # the stand-in started it
        "pid": str(app.process.pid),
        "key": app.job_key,
        "remote_id": None,
        "app_id": content["id"],
        "variant_id": "0",
        "bundle_id": _bundle_of(app, content),
        "start_time": app.start_time,
        "end_time": None if alive else app.end_time,
        "last_heartbeat_time": app.start_time,
        "queued_time": None,
        "queue_name": None,
        "tag": RUN_TAGS.get(content.get("app_mode", ""), "run_app"),
        "exit_code": None if alive else app.process.returncode,
        "status": ACTIVE if alive else FINISHED,
        "hostname": socket.gethostname(),
        "cluster": None,
        "image": None,
        "run_as": None,
    }


def _job(guid: str, key: str) -> tuple[AppProcess, Record]:
    content = content_for(guid, edit=True)
    for app in current_deployer().processes.history(guid):
        if app.job_key == key:
            return app, content
    raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no job {key}")


@routes.get("/v1/content/<guid>/jobs")
def list_jobs(guid: str) -> Response:
    content = content_for(guid, edit=True)
    apps = current_deployer().processes.history(guid)
    return jsonify([job_json(app, content) for app in apps])


@routes.get("/v1/content/<guid>/jobs/<key>")
def get_job(guid: str, key: str) -> Response:
    return jsonify(job_json(*_job(guid, key)))


@routes.delete("/v1/content/<guid>/jobs/<key>")
def kill_job(guid: str, key: str) -> Response:
    app, content = _job(guid, key)
    if not app.alive():
        raise ApiError(409, CODE_BAD_REQUEST, f"job {key} has already ended")
    current_deployer().processes.kill(app)
    return jsonify(
        {
            "guid": app.job_key,
            "app_id": content["id"],
            "app_guid": guid,
            "content_id": content["id"],
            "content_guid": guid,
            "job_id": str(app.process.pid),
            "job_key": app.job_key,
            "result": "Order to kill job registered",
        }
    )
