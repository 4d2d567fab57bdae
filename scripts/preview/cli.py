"""``make preview PR=N`` / ``make preview-cleanup PR=N``: draft deploys for a pull request.

``preview``: build every app's bundle; for each app whose bundle differs from
its content's active bundle, upload it as a **draft** (``rsconnect deploy
manifest --draft``) to the app's existing content, the deployer's own item
named ``<namespace>-<app>``. Nothing is activated and no content is created:
an app with no content yet is reported. Drafts made for an earlier push of the
same pull request are deleted once the new ones exist. The comment body
(Markdown, with the record of the drafts) is written to ``--comment``
(default ``build/preview/pr-<N>.md``), which the workflow posts.

``preview-cleanup``: delete the drafts the comment's record lists (never an
active bundle) and rewrite the comment to say so.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.bundle.build import (
    Bundle,
    BundleError,
    complete_bundle,
    rsconnect_executable,
    select_apps,
    stage_bundle,
)
from scripts.catalog import REPO_ROOT, AppInfo
from scripts.deploy.api import connect_client
from scripts.deploy.content import (
    ContentError,
    content_name,
    find_own_content,
    resolve_namespace,
)
from scripts.deploy.preflight import PreflightError, preflight
from scripts.deploy.retry import RetryPolicy
from scripts.deploy.target import Target, TargetError, resolve_target
from scripts.deploy.unchanged import MANIFEST, same_as_active
from scripts.preview.comment import Draft, PreviewRecord, RecordError, parse, render

PREVIEW_DIR = REPO_ROOT / "build" / "preview"
DRAFT_TIMEOUT_S = 900.0  # one app's upload, build and check
DRAFT_ID = re.compile(r"/draft/(?P<id>\d+)")
NOT_FOUND = 404
EXIT_FAILED, EXIT_UNUSABLE = 1, 2


class PreviewError(RuntimeError):
    """One app's draft could not be made or deleted; the message says why.

    ``draft``: a bundle that was uploaded and built but failed its check (it
    does not start): known exactly, so it is deleted rather than left behind.
    """

    def __init__(self, message: str, draft: Draft | None = None) -> None:
        super().__init__(message)
        self.draft = draft


def draft_command(bundle: Bundle, guid: str, target: Target) -> list[str]:
    """No ``--title`` and no ``-E``: a draft must not change the live content's settings."""
    command = [rsconnect_executable(), "deploy", "manifest", *target.rsconnect_args()]
    return [*command, "--draft", "--app-id", guid, str(bundle.path / MANIFEST)]


def upload_draft(
    bundle: Bundle, content: Mapping[str, str], target: Target, environ: Mapping[str, str]
) -> Draft:
    """Upload ``bundle`` as a draft of ``content``; rsconnect checks that it starts."""
    result = subprocess.run(
        draft_command(bundle, content["guid"], target),
        env=target.child_environment(environ),
        capture_output=True,
        text=True,
        timeout=DRAFT_TIMEOUT_S,
    )
    output = target.redact(result.stdout + result.stderr)
    found = DRAFT_ID.search(output)  # printed once built, before the check that it starts
    draft = None
    if found is not None:
        draft = Draft(
            app=bundle.app.name,
            content_name=content["name"],
            guid=content["guid"],
            bundle_id=found["id"],
            url=f"{content['content_url'].rstrip('/')}/_bundle{found['id']}/",
        )
    if result.returncode != 0 or draft is None:
        tail = " / ".join(line for line in output.splitlines()[-6:] if line.strip())
        raise PreviewError(f"rsconnect --draft failed (exit {result.returncode}): {tail}", draft)
    return draft


def delete_draft(client: Client, draft: Draft, owner_guid: str) -> str:
    """Delete one draft bundle; what happened, in words.

    Only a bundle of the deployer's own content, and never the active one: the
    record comes from a comment, so it is checked against the server first.
    """
    path = f"v1/content/{draft.guid}/bundles/{draft.bundle_id}"
    try:
        owner = client.get(f"v1/content/{draft.guid}").json().get("owner_guid")
        if owner != owner_guid:
            raise PreviewError(f"content {draft.guid} is not the deployer's own; not deleted")
        bundle = client.get(path).json()
    except (ClientError, requests.HTTPError) as error:
        if _status(error) == NOT_FOUND:
            return "already gone"
        raise
    if bundle.get("content_guid", draft.guid) != draft.guid:
        raise PreviewError(f"bundle {draft.bundle_id} is not {draft.guid}'s; not deleted")
    if bundle.get("active"):
        return "left alone: it is the active bundle now"
    client.delete(path)
    return "deleted"


def _status(error: Exception) -> int | None:
    if isinstance(error, ClientError):
        return error.http_status
    response = getattr(error, "response", None)
    return response.status_code if response is not None else None


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"Connect API error (HTTP {error.http_status}): {error.error_message}"
    return str(error) or type(error).__name__


def delete_drafts(
    client: Client, drafts: list[Draft], owner_guid: str, target: Target
) -> dict[tuple[str, str], str]:
    """Delete each draft; (guid, bundle id) -> why, for the ones that could not be."""
    failed = {}
    for draft in drafts:
        try:
            outcome = delete_draft(client, draft, owner_guid)
        except (PreviewError, ClientError, requests.RequestException) as error:
            failed[draft.key] = target.redact(f"draft {draft.bundle_id}: {_describe(error)}")
            outcome = "NOT deleted: " + failed[draft.key]
        print(f"[{draft.app}] draft {draft.bundle_id} of {draft.guid}: {outcome}", flush=True)
    return failed


def preview_app(
    client: Client,
    app: AppInfo,
    name: str,
    owner_guid: str,
    options: argparse.Namespace,
    target: Target,
    environ: Mapping[str, str],
    record: PreviewRecord,
) -> None:
    """Draft one app into ``record`` (or note why not).

    The bundle is staged, compared with the active one, and only when it differs
    checked (the slow import) and listed, as a deploy does.
    """
    try:
        bundle = stage_bundle(app, options.bundles, environ=environ, workspace=options.workspace)
        content = find_own_content(client, name, owner_guid)
        if content is None:
            record.missing.append(app.name)
            print(f"[{app.name}] no content named {name} owned by the deployer: not previewed")
        elif same_as_active(client, content, bundle.path):
            record.unchanged.append(app.name)
            print(f"[{app.name}] same as the active bundle: no draft")
        else:
            complete_bundle(bundle, environ=environ)
            draft = upload_draft(bundle, content, target, environ)
            record.drafts.append(draft)
            print(f"[{app.name}] draft {draft.bundle_id}: {draft.url}", flush=True)
    except PreviewError as error:
        record.failed[app.name] = target.redact(str(error))
        if error.draft is not None and delete_drafts(client, [error.draft], owner_guid, target):
            record.leftover.append(error.draft)
        print(f"[{app.name}] FAILED: {record.failed[app.name]}", file=sys.stderr)
    except (
        BundleError,
        ContentError,
        ClientError,
        requests.RequestException,
        OSError,
        subprocess.SubprocessError,
    ) as error:
        record.failed[app.name] = target.redact(_describe(error))
        print(f"[{app.name}] FAILED: {record.failed[app.name]}", file=sys.stderr)


def read_record(path: Path) -> PreviewRecord | None:
    return parse(path.read_text(), str(path)) if path.is_file() else None


def write_comment(record: PreviewRecord, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(record))
    print(f"comment: {path}")


def connect(environ: Mapping[str, str]) -> tuple[Target, Client, str]:
    """(target, client, the deploying user's GUID), or TargetError/PreflightError."""
    target = resolve_target(environ)
    if target is None:
        raise TargetError(
            "no Connect server configured: set CONNECT_SERVER and CONNECT_API_KEY "
            "(or SERVER=<rsconnect nickname>)"
        )
    client = connect_client(target, RetryPolicy.from_environ(environ), connect_retries=0)
    info = preflight(client, target)
    if not info.drafts:
        raise PreflightError(
            f"Connect {info.version} has no draft bundles (2025.06.0 or later needed): "
            "previews would go live, so none are made"
        )
    print(f"Connect {info.version} at {target.label}, previewing as {info.user}", flush=True)
    return target, client, info.user_guid


def run_preview(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    target, client, owner_guid = connect(environ)
    previous = read_record(args.comment)
    record = PreviewRecord(pr=args.pr, commit=args.commit, server=target.url)
    for app in select_apps(args.apps, args.workspace / "apps"):
        name = content_name(args.namespace, app.name)
        preview_app(client, app, name, owner_guid, args, target, environ, record)
    if previous is not None and previous.server not in ("", target.url):
        print(f"{args.comment} lists drafts on {previous.server}: left alone there")
    elif previous is not None and previous.pr == args.pr:
        replaced = [*previous.drafts, *previous.leftover]
        failed = delete_drafts(client, replaced, owner_guid, target)
        record.leftover = [d for d in replaced if d.key in failed]
    write_comment(record, args.comment)
    return EXIT_FAILED if record.failed else 0


def run_cleanup(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    record = read_record(args.comment)
    recorded = [*record.drafts, *record.leftover] if record is not None else []
    if record is None or not recorded:
        print(f"no drafts recorded in {args.comment}: nothing to delete")
        return 0
    if record.pr != args.pr:
        raise RecordError(f"{args.comment} records PR {record.pr}, not PR {args.pr}")
    target, client, owner_guid = connect(environ)
    failed = delete_drafts(client, recorded, owner_guid, target)
    closed = PreviewRecord(pr=record.pr, commit=record.commit, server=record.server)
    closed.leftover = [d for d in recorded if d.key in failed]
    closed.failed = {d.app: failed[d.key] for d in closed.leftover}
    closed.closed = not failed
    write_comment(closed, args.comment)
    return EXIT_FAILED if failed else 0


def build_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["preview", "cleanup"])
    parser.add_argument("apps", nargs="*", help="app names (default: every discovered app)")
    parser.add_argument("--pr", default=environ.get("PR", ""), help="pull request number (PR=)")
    parser.add_argument("--namespace", help="default: NAMESPACE=, else the project name")
    parser.add_argument(
        "--commit",
        default=environ.get("COMMIT") or environ.get("GITHUB_SHA") or None,
        help="the commit previewed, for the comment (COMMIT=; default: HEAD)",
    )
    parser.add_argument("--comment", type=Path, default=None, help="the comment file")
    parser.add_argument("--workspace", type=Path, default=REPO_ROOT)
    return parser


def _pr_number(value: str) -> int:
    if not value.strip().isdigit():
        raise TargetError(f"PR={value!r}; expected the pull request number, e.g. PR=12")
    return int(value)


def _head_commit(workspace: Path) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    args = build_parser(environ).parse_args(argv)
    try:
        args.pr = _pr_number(str(args.pr))
        args.namespace = resolve_namespace(args.namespace, environ, args.workspace)
        args.commit = args.commit or _head_commit(args.workspace)
        args.comment = args.comment or PREVIEW_DIR / f"pr-{args.pr}.md"
        args.bundles = args.comment.parent / "bundles"
        if args.action == "preview":
            return run_preview(args, environ)
        return run_cleanup(args, environ)
    except (
        TargetError,
        PreflightError,
        RecordError,
        ContentError,
        BundleError,
        LookupError,
        ClientError,
        requests.RequestException,
    ) as error:
        print(f"error: {_describe(error)}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    raise SystemExit(main())
