"""``make deploy-all`` / ``make deploy APP=name``: bundle, then deploy in parallel.

Steps: resolve the server and check it (fail fast, nothing uploaded), read
each app's deploy settings, build the bundles (broken apps fail alone), then
per app and ``JOBS`` at a time: find or create the content by name, upload
with rsconnect, apply access/groups/process settings, verify the URL.
Ends with one table and ``build/deploy-report.json``; exit 1 if any app failed.
``DRY_RUN=1`` stops after the bundles and prints the plan.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.catalog import REPO_ROOT
from scripts.ship.bundles import (
    BUNDLES_DIR,
    Bundle,
    BundleError,
    build_bundles,
    folders_without_app,
    select_apps,
)
from scripts.ship.deploy.api import connect_client, plain_session
from scripts.ship.deploy.content import (
    ContentError,
    apply_settings,
    content_name,
    find_content,
    find_or_create,
    group_guids,
)
from scripts.ship.deploy.preflight import PreflightError, preflight
from scripts.ship.deploy.publish import PublishError, publish
from scripts.ship.deploy.report import (
    CREATED,
    FAILED,
    PLANNED,
    REPORT_PATH,
    UPDATED,
    WOULD_CREATE,
    WOULD_UPDATE,
    AppResult,
    render_table,
    write_report,
)
from scripts.ship.deploy.retry import RetryPolicy
from scripts.ship.deploy.settings import (
    DeploySettings,
    SettingsError,
    check_environment,
    load_settings,
)
from scripts.ship.deploy.target import Target, TargetError, resolve_target
from scripts.ship.deploy.verify import VerifyError, verify_content

TRUTHY = {"1", "true", "yes", "on"}
EXIT_FAILED_APPS, EXIT_UNUSABLE = 1, 2


class Progress:
    """Live, line-at-a-time output shared by the worker threads; never shows the key."""

    def __init__(self, target: Target | None) -> None:
        self._lock = threading.Lock()
        self._target = target

    def __call__(self, app: str, message: str) -> None:
        text = self._target.redact(message) if self._target else message
        with self._lock:
            print(f"[{app}] {text}", flush=True)

    def for_app(self, app: str) -> Callable[[str], None]:
        return lambda message: self(app, message)


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"Connect API error (HTTP {error.http_status}): {error.error_message}"
    return str(error) or type(error).__name__


def deploy_one(
    bundle: Bundle,
    settings: DeploySettings,
    name: str,
    target: Target,
    policy: RetryPolicy,
    environ: Mapping[str, str],
    say: Callable[[str], None],
) -> AppResult:
    started = time.monotonic()
    result = AppResult(bundle.app.name, FAILED, content_name=name)
    try:
        client = connect_client(target, policy)
        group_guids(client, settings.groups)  # unknown groups fail here, before any write
        content, created = find_or_create(client, name, settings.title)
        result.guid, result.url = content["guid"], content["content_url"]
        say(f"{'created' if created else 'found'} content {name} ({result.guid}); uploading")
        published = publish(
            bundle.path,
            result.guid,
            settings,
            target,
            policy=policy,
            environ=environ,
            on_line=lambda line: say(f"rsconnect: {line}"),
        )
        result.attempts = published.attempts
        say(f"applying access type {settings.access_type!r} and settings")
        apply_settings(client, content, settings)
        gated = settings.access_type == "acl" and bool(settings.groups)
        say("verified: " + verify_content(plain_session(policy), result.url, target, gated=gated))
        result.status = CREATED if created else UPDATED
        say(f"{result.status}: {result.url}")
    except (
        ContentError,
        PublishError,
        VerifyError,
        ClientError,
        requests.RequestException,
    ) as error:
        result.error = target.redact(_describe(error))
    except Exception as error:  # an unexpected bug in one app's deploy must not stop the others
        result.error = target.redact(f"unexpected {type(error).__name__}: {error}")
    if result.error:
        say(f"FAILED: {result.error}")
    result.seconds = time.monotonic() - started
    return result


def plan_one(bundle: Bundle, name: str, client: Client | None) -> AppResult:
    status = PLANNED
    guid = url = ""
    if client is not None:
        existing = find_content(client, name)  # GET only: a dry run writes nothing
        status = WOULD_UPDATE if existing else WOULD_CREATE
        guid, url = (existing["guid"], existing["content_url"]) if existing else ("", "")
    files = bundle.files()
    return AppResult(
        bundle.app.name,
        status,
        content_name=name,
        guid=guid,
        url=url,
        files=len(files),
        bundle_bytes=bundle.size_bytes(),
    )


def print_plan(bundle: Bundle, result: AppResult) -> None:
    print(
        f"{result.app}: {result.status} {result.content_name}"
        f"{f' ({result.guid})' if result.guid else ''}, "
        f"{result.files} files, {result.bundle_bytes / 1024:.0f} KiB, bundle {bundle.path}"
    )
    for name in bundle.files():
        print(f"    {name}")


def build_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app names (default: every discovered app)")
    parser.add_argument(
        "--jobs", default=environ.get("JOBS") or "4", help="parallel deploys (JOBS=)"
    )
    parser.add_argument(
        "--namespace",
        default=environ.get("NAMESPACE") or None,
        help="content names: <namespace>-<app> (NAMESPACE=; default: the checkout folder name)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=environ.get("DRY_RUN", "").strip().lower() in TRUTHY,
    )
    parser.add_argument("--bundles-dir", type=Path, default=BUNDLES_DIR)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=REPO_ROOT,
        help="the checkout whose apps/ and uv.lock to deploy",
    )
    parser.add_argument("--report", type=Path, default=REPORT_PATH)
    return parser


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise TargetError(f"JOBS={value!r}; expected a whole number >= 1")
    return int(value)


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    args = build_parser(environ).parse_args(argv)
    args.namespace = args.namespace or args.workspace.resolve().name
    started, started_at = time.monotonic(), datetime.now(UTC).isoformat(timespec="seconds")
    try:
        jobs = _jobs(str(args.jobs))
        target = resolve_target(environ)
        if target is None and not args.dry_run:
            raise TargetError(
                "no Connect server configured: set CONNECT_SERVER and CONNECT_API_KEY, "
                "or SERVER=<rsconnect nickname> (DRY_RUN=1 plans without a server)"
            )
        apps = select_apps(args.apps, args.workspace / "apps")
        names = {app.name: content_name(args.namespace, app.name) for app in apps}
        policy = RetryPolicy.from_environ(environ)
        client = None
        if target is not None:
            client = connect_client(target, policy, connect_retries=0)
            info = preflight(client, target)
            print(f"Connect {info.version} at {target.label}, deploying as {info.user}", flush=True)
    except (TargetError, LookupError, ContentError, PreflightError, BundleError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE

    say = Progress(target)
    results: list[AppResult] = []
    settings: dict[str, DeploySettings] = {}
    for app in apps:
        try:
            app_settings = load_settings(app)
            check_environment(app.name, app_settings, environ)
            settings[app.name] = app_settings
        except SettingsError as error:
            results.append(
                AppResult(app.name, FAILED, content_name=names[app.name], error=str(error))
            )
    print(f"building {len(settings)} bundle(s) in {args.bundles_dir}", flush=True)
    try:
        bundles, broken = build_bundles(
            [a for a in apps if a.name in settings],
            args.bundles_dir,
            jobs=jobs,
            environ=environ,
            workspace=args.workspace,
        )
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not args.apps:
        broken += folders_without_app(args.workspace / "apps")
    for failure in broken:
        say(failure.app_name, f"FAILED before upload: {failure.message}")
        results.append(
            AppResult(
                failure.app_name,
                FAILED,
                error=failure.message,
                content_name=names.get(failure.app_name, ""),
            )
        )

    if args.dry_run:
        for bundle in bundles:
            try:
                result = plan_one(bundle, names[bundle.app.name], client)
            except (ContentError, ClientError, requests.RequestException) as error:
                result = AppResult(bundle.app.name, FAILED, error=_describe(error))
            print_plan(bundle, result)
            results.append(result)
    else:
        assert target is not None
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(
                    deploy_one,
                    bundle,
                    settings[bundle.app.name],
                    names[bundle.app.name],
                    target,
                    policy,
                    environ,
                    say.for_app(bundle.app.name),
                )
                for bundle in bundles
            ]
            results += [future.result() for future in futures]

    print()
    print(render_table(results))
    for result in sorted(results, key=lambda r: r.app):
        if result.failed:
            print(f"{result.app}: {result.error}", file=sys.stderr)
    report = write_report(
        results,
        {
            "server": target.url if target else None,
            "namespace": args.namespace,
            "dry_run": args.dry_run,
            "jobs": jobs,
            "started_at": started_at,
            "seconds": round(time.monotonic() - started, 2),
        },
        args.report,
    )
    print(f"report: {report}")
    return EXIT_FAILED_APPS if any(r.failed for r in results) else 0
