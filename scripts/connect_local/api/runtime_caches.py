"""Runtime caches (``v1/system/caches/runtime``): administrators only (others 403).

Connect keeps one package cache per language, version and image; the
stand-in's nearest thing is its built environments, one per requirements set
and Python. So ``GET`` lists one cache per Python version it has built
environments with (``{"language": "Python", "version", "image_name": "Local"}``),
and ``DELETE`` with such a body removes that version's environments, except
those a running app uses (the next deploy or start rebuilds them). With
``"dry_run": true`` nothing is removed and ``task_id`` is null; otherwise the
removal runs in a task whose log names each environment. An unknown cache: 404
code 4; a body without ``language``/``version``/``image_name``: 400 code 25.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify

from scripts.connect_local.api.common import (
    current_caller,
    current_deployer,
    current_tasks,
    json_body,
    require_role,
)
from scripts.connect_local.builder import (
    built_environments,
    environment_of,
    python_version_of,
    remove_environment,
)
from scripts.connect_local.errors import CODE_BAD_REQUEST, CODE_NOT_FOUND, ApiError, refusal
from scripts.connect_local.store import Record

# Registered by scripts.connect_local.api.install, with the key check in front.
routes = Blueprint("runtime_caches", __name__)

LANGUAGE, IMAGE = "Python", "Local"  # the stand-in builds Python only, on this machine
CACHE_FIELDS = ("language", "version", "image_name")


def _caches() -> dict[str, list[Path]]:
    """Python version -> the built environments that use it."""
    found: dict[str, list[Path]] = {}
    for environment in built_environments(current_deployer().environments_dir):
        version = python_version_of(environment)
        if version:
            found.setdefault(version, []).append(environment)
    return found


def _cache_json(version: str) -> Record:
    return {"language": LANGUAGE, "version": version, "image_name": IMAGE}


@routes.get("/v1/system/caches/runtime")
def list_caches() -> Response:
    require_role("administrator")
    return jsonify({"caches": [_cache_json(v) for v in sorted(_caches())]})


@routes.delete("/v1/system/caches/runtime")
def delete_cache() -> Response:
    require_role("administrator")
    body = json_body()
    if not isinstance(body, dict) or not all(isinstance(body.get(f), str) for f in CACHE_FIELDS):
        raise refusal(
            CODE_BAD_REQUEST, 'expected {"language": ..., "version": ..., "image_name": ...}'
        )
    environments = _caches().get(body["version"])
    if (body["language"], body["image_name"]) != (LANGUAGE, IMAGE) or not environments:
        wanted = ", ".join(str(body[f]) for f in CACHE_FIELDS)
        raise ApiError(404, CODE_NOT_FOUND, f"there is no runtime cache {wanted}")
    answer = _cache_json(body["version"])
    if body.get("dry_run") is True:
        return jsonify({**answer, "task_id": None})
    deployer = current_deployer()
    caller_guid = current_caller().user_guid or ""
    task = current_tasks().create(f"remove runtime cache {body['version']}", caller_guid)
    in_use = {environment_of(p) for p in deployer.processes.pythons_in_use()}
    for environment in environments:
        if environment in in_use:
            task.log(f"Kept {environment.name}: a running app uses it")
            continue
        remove_environment(deployer.environments_dir, environment)
        task.log(f"Removed {environment.name}")
    task.finish(code=0)
    return jsonify({**answer, "task_id": task.id})
