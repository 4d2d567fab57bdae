"""Bundles (upload, list, download, delete), deploys (draft or activate) and tasks."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from scripts.connect_local.api.common import (
    content_for,
    current_caller,
    current_config,
    current_deployer,
    current_store,
    current_tasks,
    version_tuple,
)
from scripts.connect_local.directory import now_iso
from scripts.connect_local.errors import (
    CODE_ACTIVE_BUNDLE,
    CODE_BAD_MANIFEST,
    CODE_BAD_REQUEST,
    CODE_BUNDLE_OF_OTHER_CONTENT,
    CODE_NO_BUNDLE,
    CODE_NOT_FOUND,
    CODE_UNEXTRACTABLE_BUNDLE,
    ApiError,
    bad_request,
    refusal,
)
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("bundles", __name__)


DRAFTS_SINCE = (2025, 6, 0)
UPLOAD_RECORD = "upload.json"  # in the bundle's folder: multipart or raw, chunked or not


def _upload() -> tuple[bytes, dict[str, Any], str]:
    """The archive bytes, the metadata and how they came (multipart or raw)."""
    if request.mimetype == "multipart/form-data":
        archive = request.files.get("archive")
        if archive is None:
            raise ApiError(400, CODE_BAD_REQUEST, "the multipart upload has no 'archive' part")
        try:
            metadata = json.loads(request.form.get("metadata") or "{}")
        except ValueError:
            raise ApiError(400, CODE_BAD_REQUEST, "the 'metadata' part is not JSON") from None
        return archive.read(), metadata if isinstance(metadata, dict) else {}, "multipart"
    return request.get_data(cache=False), {}, "raw"


def _manifest_python(data: bytes) -> str | None:
    """The archive's manifest.json ``python.version`` (400 code 135/38 when unreadable)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            member = tar.extractfile("manifest.json") if "manifest.json" in tar.getnames() else None
            raw = member.read() if member is not None else None
    except (tarfile.TarError, OSError, EOFError):
        raise refusal(CODE_UNEXTRACTABLE_BUNDLE, "the bundle is not a tar.gz archive") from None
    if raw is None:
        raise refusal(CODE_BAD_MANIFEST, "the bundle has no manifest.json at its root")
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise refusal(CODE_BAD_MANIFEST, "the bundle's manifest.json is not JSON") from None
    python = manifest.get("python") if isinstance(manifest, dict) else None
    version = python.get("version") if isinstance(python, dict) else None
    return str(version) if version else None


@routes.post("/v1/content/<guid>/bundles")
def upload_bundle(guid: str) -> Response:
    content_for(guid, edit=True)
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    data, metadata, form = _upload()
    py_version = _manifest_python(data)
    store = current_store()
    bundle_id = store.next_id()
    bundle_dir = store.bundle_dir(guid, bundle_id)
    bundle_dir.mkdir(parents=True)
    (bundle_dir / "bundle.tar.gz").write_bytes(data)
    # How the upload came, for the stand-in's own tests (not in Connect's bundle record).
    (bundle_dir / UPLOAD_RECORD).write_text(json.dumps({"form": form, "chunked": chunked}))
    bundle = {
        "id": bundle_id,
        "content_guid": guid,
        "created_time": now_iso(),
        "cluster_name": None,
        "image_name": None,
        "r_version": None,
        "py_version": py_version,
        "quarto_version": None,
        "active": False,
        "size": len(data),
        "metadata": metadata,
    }
    with store.change() as state:
        state["bundles"].setdefault(guid, {})[bundle_id] = bundle
    return jsonify(bundle)


@routes.get("/v1/content/<guid>/bundles")
def list_bundles(guid: str) -> Response:
    content_for(guid, edit=True)
    with current_store().read() as state:
        bundles = list(state["bundles"].get(guid, {}).values())
    return jsonify(sorted(bundles, key=lambda b: int(b["id"])))


@routes.get("/v1/content/<guid>/bundles/<bundle_id>")
def get_bundle(guid: str, bundle_id: str) -> Response:
    content_for(guid, edit=True)
    return jsonify(_bundle(guid, bundle_id))


def _check_activate_known(body: Record) -> None:
    """Connect before 2025.06.0 has no drafts: it refuses the ``activate`` field."""
    version = current_config().version
    if "activate" in body and version_tuple(version) < DRAFTS_SINCE:
        raise bad_request(
            f"unknown field 'activate': this Connect ({version}) deploys and activates in one "
            "step; drafts need 2025.06.0 or later"
        )


def _bundle_to_deploy(guid: str, requested: object) -> str:
    """The requested bundle of this content, else its newest (Connect's refusals else)."""
    with current_store().read() as state:
        bundles = state["bundles"].get(guid, {})
        others = {b for g, of in state["bundles"].items() if g != guid for b in of}
    if not requested:
        if not bundles:
            raise refusal(CODE_NO_BUNDLE, f"content {guid} has no bundle to deploy")
        return max(bundles, key=int)
    bundle_id = str(requested)
    if bundle_id in others:
        raise refusal(CODE_BUNDLE_OF_OTHER_CONTENT, f"bundle {bundle_id} belongs to other content")
    if bundle_id not in bundles:
        raise refusal(CODE_NOT_FOUND, f"bundle {bundle_id} of {guid} does not exist")
    return bundle_id


def _bundle(guid: str, bundle_id: str) -> Record:
    with current_store().read() as state:
        bundle: Record | None = state["bundles"].get(guid, {}).get(bundle_id)
    if bundle is None:
        raise ApiError(404, CODE_NOT_FOUND, f"bundle {bundle_id} of {guid} does not exist")
    return bundle


@routes.get("/v1/content/<guid>/bundles/<bundle_id>/download")
def download_bundle(guid: str, bundle_id: str) -> Response:
    content_for(guid, edit=True)
    _bundle(guid, bundle_id)
    archive = current_store().bundle_dir(guid, bundle_id) / "bundle.tar.gz"
    return send_file(
        archive, mimetype="application/gzip", download_name=f"bundle-{bundle_id}.tar.gz"
    )


@routes.delete("/v1/content/<guid>/bundles/<bundle_id>")
def delete_bundle(guid: str, bundle_id: str) -> Response:
    content_for(guid, edit=True)
    _bundle(guid, bundle_id)
    if not current_deployer().delete_bundle(guid, bundle_id):
        raise refusal(
            CODE_ACTIVE_BUNDLE,
            f"bundle {bundle_id} is the active bundle of {guid}: activate another one first",
        )
    return Response(status=204)


@routes.post("/v1/content/<guid>/deploy")
def deploy(guid: str) -> Response:
    content_for(guid, edit=True)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise ApiError(400, CODE_BAD_REQUEST, 'expected {"bundle_id": ..., "activate": ...}')
    _check_activate_known(body)
    bundle_id = _bundle_to_deploy(guid, body.get("bundle_id"))
    activate = body.get("activate", True)
    if not isinstance(activate, bool):
        raise ApiError(400, CODE_BAD_REQUEST, "activate must be true or false")
    caller = current_caller()
    task = current_deployer().deploy(guid, str(bundle_id), activate, caller.user_guid or "")
    return jsonify({"task_id": task.id})


@routes.get("/v1/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    task = current_tasks().get(task_id)
    caller = current_caller()
    # Only who started it and administrators: another user is told it does not exist.
    if task is None or (caller.role != "administrator" and task.owner_guid != caller.user_guid):
        raise ApiError(404, CODE_NOT_FOUND, f"task {task_id} does not exist")
    try:
        first = int(request.args.get("first", 0))
        wait = float(request.args.get("wait", 0))
    except ValueError:
        raise ApiError(400, CODE_BAD_REQUEST, "first and wait must be numbers") from None
    return jsonify(task.snapshot(first, wait))
