"""``make preview PR=N`` / ``make preview-cleanup PR=N``: previews of a pull request on Connect.

``preview`` (default mode): every app the pull request changes (``git diff
BASE HEAD``; every app without ``BASE``) is deployed into its own content
item ``<namespace>-pr<N>-<app>``, owned by the deploying key's user (the
preview account), open to the team's groups only, with the preview set of
environment variables (``scripts.preview.items``). Previews of apps the pull
request no longer changes are deleted.

``PREVIEW_DRAFTS=1`` (opt-in, off by default): draft bundles of the
production content instead (``scripts.preview.drafts``; read what it exposes
first).

The comment body (Markdown, with the record) is written to ``--comment``
(default ``build/preview/pr-<N>.md``), which the workflow posts.

``preview-cleanup``: delete this pull request's preview content items (found
by name among the deployer's own content, whatever the record says, even when
it is refused or missing), and, in drafts mode only, the drafts the vetted
record lists (``scripts.preview.vetting``; checked on the server first); then
rewrite the comment to say so.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.bundle.build import BundleError, select_apps, stage_bundle
from scripts.catalog import REPO_ROOT, AppInfo
from scripts.deploy.api import connect_client
from scripts.deploy.content import ContentError, resolve_namespace
from scripts.deploy.pipeline import AppJob, Options, Server, deploy_one
from scripts.deploy.preflight import PreflightError, ServerInfo, preflight
from scripts.deploy.progress import Progress
from scripts.deploy.report import UNCHANGED
from scripts.deploy.retry import RetryPolicy
from scripts.deploy.settings import SettingsError, load_settings
from scripts.deploy.target import Target, TargetError, resolve_target
from scripts.deploy.team import TeamError, load_team
from scripts.preview.comment import (
    CONTENT,
    DRAFTS,
    Preview,
    PreviewRecord,
    RecordError,
    render,
)
from scripts.preview.drafts import DraftRun, delete_drafts, describe, draft_app
from scripts.preview.items import (
    changed_apps,
    delete_previews,
    preview_environ,
    preview_name,
    preview_settings,
)
from scripts.preview.vetting import TRUTHY, vetted

PREVIEW_DIR = REPO_ROOT / "build" / "preview"
PREVIEW_JOBS = 4
EXIT_FAILED, EXIT_UNUSABLE = 1, 2


def read_record(args: argparse.Namespace) -> PreviewRecord | None:
    """The comment file's record, vetted for this pull request (RecordError: refused)."""
    if not args.comment.is_file():
        return None
    text = args.comment.read_text()
    return vetted(
        text, str(args.comment), args.pr, args.namespace, args.workspace, drafts=args.drafts
    )


def write_comment(record: PreviewRecord, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(record))
    print(f"comment: {path}")


def connect(environ: Mapping[str, str], *, drafts: bool) -> tuple[Target, Client, ServerInfo]:
    """(target, client, server info), or TargetError/PreflightError."""
    target = resolve_target(environ)
    if target is None:
        raise TargetError(
            "no Connect server configured: set CONNECT_SERVER and CONNECT_API_KEY "
            "(or SERVER=<rsconnect nickname>)"
        )
    client = connect_client(target, RetryPolicy.from_environ(environ), connect_retries=0)
    info = preflight(client, target)
    if drafts and not info.drafts:
        raise PreflightError(
            f"Connect {info.version} has no draft bundles (2025.06.0 or later needed): "
            "drafts would go live, so none are made"
        )
    print(f"Connect {info.version} at {target.label}, previewing as {info.user}", flush=True)
    return target, client, info


def _prepare(
    args: argparse.Namespace, app: AppInfo, environ: Mapping[str, str], record: PreviewRecord
) -> tuple[AppJob, dict[str, str]] | None:
    """The app's preview job and its environment (preview values), or None (failed: recorded)."""
    try:
        settings = load_settings(app)
        env, unset = preview_environ(environ, settings.environment)
        kept = tuple(n for n in settings.environment if n not in unset)
        settings = preview_settings(
            dataclasses.replace(settings, environment=kept), args.team, args.pr
        )
        if unset:
            record.unset[app.name] = unset
        bundle = stage_bundle(app, args.bundles, environ=env, workspace=args.workspace)
        return AppJob(bundle, settings, preview_name(args.namespace, args.pr, app.name)), env
    except (SettingsError, BundleError, ContentError, OSError, subprocess.SubprocessError) as error:
        record.failed[app.name] = str(error)
        print(f"[{app.name}] FAILED: {error}", file=sys.stderr)
        return None


def preview_content(args: argparse.Namespace, environ: Mapping[str, str]) -> PreviewRecord:
    """Each changed app into its own preview content item; stale previews deleted."""
    target, client, info = connect(environ, drafts=False)
    record = PreviewRecord(pr=args.pr, commit=args.commit, server=target.url, mode=CONTENT)
    apps = changed_apps(args.workspace, args.base, select_apps(args.apps, args.workspace / "apps"))
    prepared = [p for app in apps if (p := _prepare(args, app, environ, record)) is not None]
    server = Server(target, info, RetryPolicy.from_environ(environ))
    progress = Progress(target, args.comment.parent / "logs")
    with ThreadPoolExecutor(max_workers=PREVIEW_JOBS) as pool:
        results = list(
            pool.map(lambda p: deploy_one(p[0], server, Options(p[1]), progress), prepared)
        )
    for (job, _), result in zip(prepared, results, strict=True):
        if result.failed:
            record.failed[job.app] = result.error
            continue
        record.previews.append(Preview(job.app, job.name, result.guid, result.url))
        if result.status == UNCHANGED:
            record.unchanged.append(job.app)
    stale = delete_previews(
        client, args.namespace, args.pr, info.user_guid, keep=[a.name for a in apps]
    )
    for app, outcome in stale.items():
        print(f"[{app}] no longer changed by the pull request: {outcome}")
    return record


def preview_drafts(args: argparse.Namespace, environ: Mapping[str, str]) -> PreviewRecord:
    """The opt-in drafts mode: drafts of production content; earlier drafts replaced."""
    target, client, info = connect(environ, drafts=True)
    run = DraftRun(client, target, info.user_guid, args.namespace)
    previous = read_record(args)
    record = PreviewRecord(pr=args.pr, commit=args.commit, server=target.url, mode=DRAFTS)
    for app in select_apps(args.apps, args.workspace / "apps"):
        draft_app(run, app, (args.bundles, args.workspace), environ, record)
    if previous is not None and previous.server not in ("", target.url):
        print(f"{args.comment} lists drafts on {previous.server}: left alone there")
    elif previous is not None and previous.pr == args.pr:
        replaced = [*previous.drafts, *previous.leftover]
        failed = delete_drafts(run, replaced)
        record.leftover = [d for d in replaced if d.key in failed]
    return record


def run_preview(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    record = preview_drafts(args, environ) if args.drafts else preview_content(args, environ)
    write_comment(record, args.comment)
    return EXIT_FAILED if record.failed else 0


def run_cleanup(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Delete this pull request's preview items (by name) and, in drafts mode, the vetted
    record's drafts (checked on the server). A refused record deletes no draft, but the
    previews go all the same: they are found by name, never from the record."""
    refused = ""
    try:
        record = read_record(args)
    except RecordError as error:
        refused, record = str(error), None
        print(f"error: {refused}: no draft is deleted; previews are, by name", file=sys.stderr)
    recorded = [*record.drafts, *record.leftover] if record is not None and args.drafts else []
    target, client, info = connect(environ, drafts=False)
    deleted = delete_previews(client, args.namespace, args.pr, info.user_guid)
    for app, outcome in deleted.items():
        print(f"[{app}] preview: {outcome}")
    run = DraftRun(client, target, info.user_guid, args.namespace)
    failed = delete_drafts(run, recorded) if recorded else {}
    if not recorded and not deleted:
        print(f"no previews of PR {args.pr} and no drafts in {args.comment}: nothing to delete")
        return EXIT_FAILED if refused else 0
    base = record or PreviewRecord(pr=args.pr)
    closed = PreviewRecord(pr=args.pr, commit=base.commit, server=target.url, mode=base.mode)
    closed.leftover = [d for d in recorded if d.key in failed]
    closed.failed = {d.app: failed[d.key] for d in closed.leftover}
    closed.closed = not failed
    write_comment(closed, args.comment)
    return EXIT_FAILED if failed or refused else 0


def build_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("action", choices=["preview", "cleanup"])
    parser.add_argument("apps", nargs="*", help="app names (default: every discovered app)")
    parser.add_argument("--pr", default=environ.get("PR", ""), help="pull request number (PR=)")
    parser.add_argument("--namespace", help="default: NAMESPACE=, else the project name")
    parser.add_argument(
        "--commit",
        default=environ.get("COMMIT") or environ.get("GITHUB_SHA") or None,
        help="the commit previewed, for the comment (COMMIT=; default: HEAD)",
    )
    parser.add_argument(
        "--base",
        default=environ.get("BASE") or None,
        help="preview only the apps changed since this commit (BASE=; default: every app)",
    )
    parser.add_argument(
        "--drafts",
        action="store_true",
        default=environ.get("PREVIEW_DRAFTS", "").strip().lower() in TRUTHY,
        help="drafts of production content instead of preview items (PREVIEW_DRAFTS=1; off)",
    )
    parser.add_argument("--comment", type=Path, default=None, help="the comment file")
    parser.add_argument("--workspace", type=Path, default=REPO_ROOT)
    return parser


def _pr_number(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise TargetError(f"PR={value!r}; expected the pull request number, e.g. PR=12")
    return int(value)


def _head_commit(workspace: Path) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    args = build_parser(environ).parse_intermixed_args(argv)  # make puts APP after --pr
    try:
        args.pr = _pr_number(str(args.pr))
        args.namespace = resolve_namespace(args.namespace, environ, args.workspace)
        args.commit = args.commit or _head_commit(args.workspace)
        args.comment = args.comment or PREVIEW_DIR / f"pr-{args.pr}.md"
        args.bundles = args.comment.parent / "bundles"
        args.team = load_team(args.workspace)
        if args.action == "preview":
            return run_preview(args, environ)
        return run_cleanup(args, environ)
    except (
        TargetError,
        PreflightError,
        RecordError,
        ContentError,
        TeamError,
        BundleError,
        LookupError,
        ClientError,
        requests.RequestException,
    ) as error:
        print(f"error: {describe(error)}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    raise SystemExit(main())
