"""Installed packages and the lockfile: what a bundle's build put in its environment.

The deploy records the environment's distributions (and its Python) per bundle
(``Deployer._record_packages``); these answer from that record:

- ``GET v1/content/{guid}/packages`` (``language``, ``name``, ``version``
  filters): the active bundle's packages, for whoever sees the content.
- ``GET v1/packages`` (also ``app_guid``, ``app_id``, ``bundle_id``, which
  posit-sdk sends; the reference names ``name`` only): paged, sorted by language
  and name, over every content item the caller sees (the reference says "all
  content items" and names no role: whether Connect filters is unverified).
  Both from 2024.11.0 (posit-sdk's ``@requires``); before that 404 code 2, as
  Connect lacks them.
- ``GET v1/content/{guid}/lockfile`` (2025.12.0+): ``name==version`` lines, text,
  with ``Generated-By: connect-local; python=X.Y.Z``; editors only. No active
  bundle: 404 code 4.

The stand-in installs gunicorn beside the app's requirements to run it, so it
is listed too.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from scripts.connect_local.access import is_visible
from scripts.connect_local.api.common import (
    content_for,
    current_caller,
    current_store,
    paged,
    require_version,
)
from scripts.connect_local.errors import CODE_NOT_FOUND, ApiError
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("packages", __name__)

PACKAGES_SINCE, LOCKFILE_SINCE = "2024.11.0", "2025.12.0"
CONTENT_FILTERS = ("language", "name", "version")
SERVER_FILTERS = (*CONTENT_FILTERS, "app_guid", "app_id", "bundle_id", "content_guid")


def _active_build(state: Record, content: Record) -> Record | None:
    bundle_id = content.get("bundle_id")
    found: Record | None = state["packages"].get(content["guid"], {}).get(bundle_id or "")
    return found


def _rows(state: Record, content: Record) -> list[Record]:
    build = _active_build(state, content)
    return [
        {
            "language": "python",
            "language_version": (build or {}).get("python"),
            "name": name,
            "version": version,
            "hash": None,
            "bundle_id": content["bundle_id"],
            "content_id": content["id"],
            "content_guid": content["guid"],
            "app_id": content["id"],  # the deprecated names, still answered
            "app_guid": content["guid"],
        }
        for name, version in (build or {}).get("packages", [])
    ]


def _filtered(rows: list[Record], filters: tuple[str, ...]) -> list[Record]:
    for field in filters:
        if field in request.args:
            rows = [r for r in rows if str(r[field]) == request.args[field]]
    return rows


@routes.get("/v1/content/<guid>/packages")
def content_packages(guid: str) -> Response:
    require_version(PACKAGES_SINCE)
    content = content_for(guid)
    with current_store().read() as state:
        rows = _rows(state, content)
    per_item = ("language", "name", "version", "hash")
    return jsonify([{k: r[k] for k in per_item} for r in _filtered(rows, CONTENT_FILTERS)])


@routes.get("/v1/packages")
def all_packages() -> Response:
    require_version(PACKAGES_SINCE)
    caller = current_caller()
    with current_store().read() as state:
        rows = [
            row
            for content in sorted(state["content"].values(), key=lambda c: int(c["id"]))
            if is_visible(content, state["permissions"].get(content["guid"], []), caller)
            for row in _rows(state, content)
        ]
    rows.sort(key=lambda r: (r["language"], r["name"].lower()))  # as the reference says
    return jsonify(paged(_filtered(rows, SERVER_FILTERS)))


@routes.get("/v1/content/<guid>/lockfile")
def lockfile(guid: str) -> Response:
    require_version(LOCKFILE_SINCE)
    content = content_for(guid, edit=True)
    with current_store().read() as state:
        build = _active_build(state, content)
    if build is None:
        raise ApiError(404, CODE_NOT_FOUND, f"content {guid} has no built active bundle")
    text = "".join(f"{name}=={version}\n" for name, version in build["packages"])
    response = Response(text, mimetype="text/plain")
    # Connect's reads "connect; python=3.11.4" (posit-sdk's Lockfile docstring)
    response.headers["Generated-By"] = f"connect-local; python={build['python']}"
    return response
