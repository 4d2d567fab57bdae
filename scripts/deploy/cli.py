"""``make deploy-all`` / ``make deploy APP=name``: check, bundle, then deploy in parallel.

Steps: the app names, the server (checked once: key, version, Python versions;
nothing uploaded if it is unusable), each app's deploy settings (checked
locally), the bundles (broken apps fail alone), then per app, ``JOBS`` at a
time, the steps in ``pipeline``. Ends with one table, a totals line and
``build/deploy-report.json`` (a dry run: ``deploy-report.dry-run.json``);
exit 1 if any app failed. ``DRY_RUN=1`` makes every read and check the real
run makes and writes nothing; ``FORCE=1`` uploads unchanged bundles too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scripts.bundle.build import (
    BUNDLES_DIR,
    BundleError,
    build_bundles,
    complete_bundle,
    folders_without_app,
    select_apps,
)
from scripts.catalog import REPO_ROOT, AppInfo
from scripts.deploy.api import connect_client
from scripts.deploy.content import ContentError, content_name, resolve_namespace
from scripts.deploy.content_extras import check_server_version
from scripts.deploy.job_manager import check_job_manager
from scripts.deploy.pipeline import AppJob, Options, Server, deploy_one
from scripts.deploy.preflight import PreflightError, preflight
from scripts.deploy.progress import LOGS_DIR, Progress
from scripts.deploy.report import (
    DRY_RUN_REPORT_PATH,
    FAILED,
    PLANNED,
    REPORT_PATH,
    AppResult,
    render_table,
    totals_line,
    write_report,
)
from scripts.deploy.retry import RetryPolicy
from scripts.deploy.settings import (
    DeploySettings,
    SettingsError,
    check_environment,
    load_settings,
)
from scripts.deploy.target import Target, TargetError, resolve_target
from scripts.deploy.team import TeamError, load_team

TRUTHY = {"1", "true", "yes", "on"}
EXIT_FAILED_APPS, EXIT_UNUSABLE = 1, 2


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in TRUTHY


def build_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app names (default: every discovered app)")
    parser.add_argument(
        "--jobs", default=environ.get("JOBS") or "4", help="parallel deploys (JOBS=)"
    )
    parser.add_argument(
        "--namespace",
        help="content names: <namespace>-<app> (NAMESPACE=; default: the workspace's project name)",
    )
    parser.add_argument("--dry-run", action="store_true", default=_flag(environ, "DRY_RUN"))
    parser.add_argument("--force", action="store_true", default=_flag(environ, "FORCE"))
    parser.add_argument("--verbose", action="store_true", default=_flag(environ, "VERBOSE"))
    parser.add_argument("--bundles-dir", type=Path, default=BUNDLES_DIR)
    parser.add_argument("--logs-dir", type=Path, default=LOGS_DIR)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=REPO_ROOT,
        help="the checkout whose apps/ and uv.lock to deploy",
    )
    parser.add_argument(
        "--report", type=Path, default=None, help="default: build/deploy-report*.json"
    )
    return parser


@dataclass
class Run:
    """Everything decided before the first app: arguments, apps, server."""

    args: argparse.Namespace
    environ: Mapping[str, str]
    jobs: int
    apps: list[AppInfo]
    names: dict[str, str]  # app -> content name
    server: Server | None
    progress: Progress
    started: float
    started_at: str

    @property
    def report_path(self) -> Path:
        if self.args.report is not None:
            return Path(self.args.report)
        return DRY_RUN_REPORT_PATH if self.args.dry_run else REPORT_PATH


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise TargetError(f"JOBS={value!r}; expected a whole number >= 1")
    return int(value)


def _connect(target: Target, policy: RetryPolicy) -> Server:
    info = preflight(connect_client(target, policy, connect_retries=0), target)
    print(f"Connect {info.version} at {target.label}, deploying as {info.user}", flush=True)
    print(f"deploy mode: {info.describe_deploy_mode()}", flush=True)
    pythons = ", ".join(info.python_versions) if info.python_versions is not None else "not listed"
    print(f"server Python versions: {pythons}", flush=True)
    return Server(target, info, policy)


def _say_when_no_team(workspace: Path, user: str) -> None:
    """Everything CI deploys is the key user's: without team groups, acl apps are theirs alone."""
    try:
        team = load_team(workspace)
    except TeamError:
        return  # each app's settings name the error
    if not team.viewers:
        print(
            f"note: no team groups in [tool.monorepo.team]: acl apps open for {user} "
            "(and administrators) only",
            flush=True,
        )


def prepare(argv: list[str] | None, environ: Mapping[str, str]) -> Run:
    """Arguments, the apps (names first: a typo is the first thing said), then the server."""
    started, started_at = time.monotonic(), datetime.now(UTC).isoformat(timespec="seconds")
    args = build_parser(environ).parse_args(argv)
    args.namespace = resolve_namespace(args.namespace, environ, args.workspace)
    jobs = _jobs(str(args.jobs))
    apps = select_apps(args.apps, args.workspace / "apps")
    names = {app.name: content_name(args.namespace, app.name) for app in apps}
    target = resolve_target(environ)
    if target is None and not args.dry_run:
        raise TargetError(
            "no Connect server configured: set CONNECT_SERVER and CONNECT_API_KEY, "
            "or SERVER=<rsconnect nickname> (DRY_RUN=1 checks the apps without a server)"
        )
    server = _connect(target, RetryPolicy.from_environ(environ)) if target else None
    if server is not None:
        _say_when_no_team(args.workspace, server.info.user)
    progress = Progress(target, args.logs_dir, verbose=args.verbose)
    return Run(args, environ, jobs, apps, names, server, progress, started, started_at)


def _failure(run: Run, app: str, message: str) -> AppResult:
    result = AppResult(app, FAILED, content_name=run.names.get(app, ""))
    result.fail(message)
    run.progress(app, f"FAILED before upload: {result.error}")
    return result


def bundle_jobs(run: Run) -> tuple[list[AppJob], list[AppResult]]:
    """Settings checked locally, then bundles built: (jobs to deploy, apps failed already)."""
    failed: list[AppResult] = []
    settings: dict[str, DeploySettings] = {}
    for app in run.apps:
        try:
            settings[app.name] = load_settings(app)
            check_environment(settings[app.name], run.environ)
            if run.server is not None:
                check_server_version(settings[app.name], run.server.info.version)
            check_job_manager(app, settings[app.name])
        except SettingsError as error:
            failed.append(_failure(run, app.name, str(error)))
            settings.pop(app.name, None)
    print(f"building {len(settings)} bundle(s) in {run.args.bundles_dir}", flush=True)
    bundles, broken = build_bundles(
        [a for a in run.apps if a.name in settings],
        run.args.bundles_dir,
        jobs=run.jobs,
        environ=run.environ,
        workspace=run.args.workspace,
        complete=False,  # each app's pipeline completes it unless it is unchanged
    )
    if not run.args.apps:
        broken += folders_without_app(run.args.workspace / "apps")
    failed += [_failure(run, f.app_name, f.message) for f in broken]
    jobs = [AppJob(b, settings[b.app.name], run.names[b.app.name]) for b in bundles]
    return jobs, failed


def plan_offline(job: AppJob, progress: Progress, environ: Mapping[str, str]) -> AppResult:
    """A dry run with no server: the local checks pass and the bundle builds."""
    result = AppResult(job.app, PLANNED, content_name=job.name)
    try:
        complete_bundle(job.bundle, environ=environ)
    except BundleError as error:
        result.fail(str(error))
        progress(job.app, f"FAILED: {result.error}")
        return result
    result.files, result.bundle_bytes = len(job.bundle.files()), job.bundle.size_bytes()
    size = f"{result.files} files, {result.bundle_bytes / 1024:.0f} KiB"
    progress(job.app, f"planned: {job.name}, {size} (no server: local checks only)")
    return result


def deploy_all(run: Run, jobs: list[AppJob]) -> list[AppResult]:
    if run.server is None:
        return [plan_offline(job, run.progress, run.environ) for job in jobs]
    options = Options(run.environ, dry_run=run.args.dry_run, force=run.args.force)
    server = run.server
    with ThreadPoolExecutor(max_workers=run.jobs) as pool:
        futures = [pool.submit(deploy_one, job, server, options, run.progress) for job in jobs]
        return [future.result() for future in futures]


def finish(run: Run, results: list[AppResult]) -> int:
    """The table, the totals, the errors (each once) and the report."""
    seconds = time.monotonic() - run.started
    print()
    print(render_table(results))
    print(
        totals_line(results, seconds) + (" (dry run: nothing written)" if run.args.dry_run else "")
    )
    for result in sorted(results, key=lambda r: r.app):
        if result.failed:
            print(f"{result.app}: {result.error}", file=sys.stderr)
    meta = {
        "server": run.server.target.url if run.server else None,
        "server_version": run.server.info.version if run.server else None,
        "namespace": run.args.namespace,
        "dry_run": run.args.dry_run,
        "force": run.args.force,
        "jobs": run.jobs,
        "started_at": run.started_at,
        "seconds": round(seconds, 2),
    }
    print(f"report: {write_report(results, meta, run.report_path)}")
    return EXIT_FAILED_APPS if any(r.failed for r in results) else 0


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    try:
        run = prepare(argv, environ)
        jobs, failed = bundle_jobs(run)
    except (TargetError, LookupError, ContentError, PreflightError, BundleError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    return finish(run, failed + deploy_all(run, jobs))
