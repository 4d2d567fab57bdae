"""Execution environments (``v1/environments``): images Connect may run content in.

Publishers and administrators list and read them; administrators create,
change and delete them (others 403), as Connect's API reference says. The
stand-in keeps and answers them but never uses one: it builds each bundle with
uv on this machine ("different" in the README's fidelity table).
``name`` (the image) and ``title`` are required on creation; ``matching`` is
``any`` (default), ``exact`` or ``none``; each interpreter list is
``{"installations": [{"path", "version"}]}``. A bad field: 400 code 25, nothing kept.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify

from scripts.connect_local.access import EDITOR_ROLES
from scripts.connect_local.api.common import (
    GUID_PATTERN,
    change_record,
    current_store,
    json_body,
    require_role,
)
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import (
    CODE_BAD_REQUEST,
    CODE_INVALID_ID,
    CODE_NOT_FOUND,
    ApiError,
    refusal,
)
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("execution_environments", __name__)

MATCHING = ("any", "exact", "none")
INTERPRETERS = ("python", "quarto", "r", "tensorflow")
TEXT_FIELDS = ("title", "description", "supervisor")
# What a change may set (the image and cluster are fixed once made).
CHANGEABLE = (*TEXT_FIELDS, "matching", *INTERPRETERS)
CREATABLE = (*CHANGEABLE, "name", "cluster_name")


def _installations_ok(value: object) -> bool:
    if not isinstance(value, dict) or set(value) != {"installations"}:
        return False
    items = value["installations"]
    return isinstance(items, list) and all(
        isinstance(i, dict)
        and set(i) == {"path", "version"}
        and all(isinstance(v, str) for v in i.values())
        for i in items
    )


def _checked(body: Any, allowed: tuple[str, ...]) -> Record:
    if not isinstance(body, dict):
        raise refusal(CODE_BAD_REQUEST, "expected a JSON object of environment fields")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise refusal(
            CODE_BAD_REQUEST, f"unknown fields {', '.join(unknown)}; expected {', '.join(allowed)}"
        )
    for field in (*TEXT_FIELDS, "name", "cluster_name"):
        if body.get(field) is not None and not isinstance(body[field], str):
            raise refusal(CODE_BAD_REQUEST, f"{field} must be a string")
    if body.get("matching") is not None and body["matching"] not in MATCHING:
        raise refusal(
            CODE_BAD_REQUEST, f"matching {body['matching']!r} is not one of {', '.join(MATCHING)}"
        )
    for field in INTERPRETERS:
        if body.get(field) is not None and not _installations_ok(body[field]):
            raise refusal(
                CODE_BAD_REQUEST,
                f'{field} must be {{"installations": [{{"path": "...", "version": "..."}}]}}',
            )
    return dict(body)


def _environment(guid: str) -> Record:
    if not GUID_PATTERN.match(guid):
        raise refusal(CODE_INVALID_ID, f"{guid!r} is not an environment GUID")
    with current_store().read() as state:
        found: Record | None = state["execution_environments"].get(guid)
    if found is None:
        raise ApiError(404, CODE_NOT_FOUND, f"execution environment {guid} does not exist")
    return found


@routes.get("/v1/environments")
def list_environments() -> Response:
    require_role(*EDITOR_ROLES)
    with current_store().read() as state:
        found = list(state["execution_environments"].values())
    return jsonify(sorted(found, key=lambda e: int(e["id"])))


@routes.get("/v1/environments/<guid>")
def get_environment(guid: str) -> Response:
    require_role(*EDITOR_ROLES)
    return jsonify(_environment(guid))


@routes.post("/v1/environments")
def create_environment() -> Response:
    require_role("administrator")
    fields = _checked(json_body(), CREATABLE)
    for required in ("name", "title"):
        if not (fields.get(required) or "").strip():
            raise refusal(CODE_BAD_REQUEST, f"an execution environment needs a {required}")
    store = current_store()
    stamp = now_iso()
    cluster = fields.get("cluster_name") or "Kubernetes"
    environment = {
        "id": store.next_id(),
        "guid": str(uuid.uuid4()),
        "created_time": stamp,
        "updated_time": stamp,
        "title": fields["title"],
        "description": fields.get("description"),
        "cluster_name": cluster,
        "name": fields["name"],
        "environment_type": cluster,
        "matching": fields.get("matching") or "any",
        "supervisor": fields.get("supervisor"),
        "managed_by": None,
        **{i: fields.get(i) or {"installations": []} for i in INTERPRETERS},
    }
    with store.change() as state:
        state["execution_environments"][environment["guid"]] = environment
    return jsonify(environment)


@routes.put("/v1/environments/<guid>")
def update_environment(guid: str) -> Response:
    require_role("administrator")
    _environment(guid)
    fields = _checked(json_body(), CHANGEABLE)
    if "title" in fields and not (fields["title"] or "").strip():
        raise refusal(CODE_BAD_REQUEST, "an execution environment needs a title")
    for interpreter in INTERPRETERS:  # null: none of that interpreter
        if interpreter in fields and fields[interpreter] is None:
            fields[interpreter] = {"installations": []}
    return jsonify(change_record("execution_environments", guid, fields))


@routes.delete("/v1/environments/<guid>")
def delete_environment(guid: str) -> Response:
    require_role("administrator")
    _environment(guid)
    with current_store().change() as state:
        del state["execution_environments"][guid]
    return Response(status=204)
