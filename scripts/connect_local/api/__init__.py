"""The subset of Connect's API (``/__api__``) that rsconnect-python and posit-sdk use.

Every answer is JSON (``application/json``), errors included, shaped like
Connect's: ``{"code": N, "error": "...", "payload": null}`` (``errors``). Every
route but ``server_settings`` needs ``Authorization: Key <key>``; a wrong or
missing key gets 401 with code 30, which rsconnect reports as an invalid key.
Each key belongs to one user, whose role and ownership decide what it may do
(``access``): someone else's content answers 403.

One module per resource: ``content``, ``bundles`` (with deploys and tasks),
``permissions``, ``environment``, ``vanity``, ``principals`` (users and
groups), ``server_settings``, ``oauth`` (integrations, associations, the
credentials exchange), ``oauth_admin`` (creating, changing, deleting
integrations; OAuth sessions), ``tags``, ``thumbnails``, ``instrumentation``
(visits and hits), ``jobs``, ``packages`` (and the lockfile),
``execution_environments``, ``runtime_caches``, ``fault_injection``; ``common``
holds what they share. posit-sdk's calls, and which of them the stand-in
refuses, are listed in ``sdk_coverage``. Each module has its own ``routes``
blueprint; ``install`` registers the ones listed in ``RESOURCES`` behind the key
check, and nothing registers on import.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from scripts.connect_local.api import (
    bundles,
    content,
    environment,
    execution_environments,
    instrumentation,
    jobs,
    oauth,
    oauth_admin,
    packages,
    permissions,
    principals,
    runtime_caches,
    server_settings,
    tags,
    thumbnails,
    vanity,
)
from scripts.connect_local.api.common import (
    ApiConfig,
    api_blueprint,
    error_response,
    visitor_from_key,
)
from scripts.connect_local.api.fault_injection import faults_api
from scripts.connect_local.deployer import Deployer
from scripts.connect_local.errors import CODE_INTERNAL, CODE_UNSUPPORTED, ApiError
from scripts.connect_local.faults import Faults
from scripts.connect_local.store import Store
from scripts.connect_local.tasks import TaskRegistry

__all__ = ["ApiConfig", "install", "visitor_from_key"]

# The API's resources, each a module with a ``routes`` blueprint.
RESOURCES = (
    *(bundles, content, environment, permissions, principals, server_settings, vanity),
    *(oauth, tags, thumbnails),  # OAuth integrations and the exchange, tags, thumbnails
    instrumentation,  # usage data: visits and hits
    *(oauth_admin, jobs, packages, execution_environments, runtime_caches),  # posit-sdk's others
)


def install(
    app: Flask,
    *,
    store: Store,
    config: ApiConfig,
    deployer: Deployer,
    faults: Faults,
    tasks: TaskRegistry,
) -> None:
    """Attach the API and the fault endpoints to ``app``."""
    app.extensions.update(
        {
            "connect_local.store": store,
            "connect_local.config": config,
            "connect_local.deployer": deployer,
            "connect_local.faults": faults,
            "connect_local.tasks": tasks,
        }
    )
    app.register_blueprint(api_blueprint(resource.routes for resource in RESOURCES))
    app.register_blueprint(faults_api)

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def _unknown_route(error: Any) -> Response | Any:
        if request.path.startswith(("/__api__", "/__faults__")):
            return error_response(
                getattr(error, "code", 404),
                CODE_UNSUPPORTED,
                f"{request.method} {request.path} is not supported by connect-local",
            )
        return error

    @app.errorhandler(500)
    def _internal(error: Any) -> Response | Any:
        if request.path.startswith(("/__api__", "/__faults__")):
            return error_response(500, CODE_INTERNAL, f"internal error in connect-local: {error}")
        return error
