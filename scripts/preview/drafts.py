"""Drafts of production content (opt-in: ``PREVIEW_DRAFTS=1``): upload, and delete by the record.

Off by default. A draft bundle runs inside the production content item, with
its environment variables (production database passwords included): the pull
request's code can read them on Connect, and the key that uploads it must be
allowed to change production content. Use it only where that is acceptable
(docs/security.md says so too).

Deleting is the dangerous half: the record comes from a comment. A draft is
deleted only when its GUID and bundle id pass ``paths`` (so the path cannot
climb to the content item), its content is the deployer's own and named
``<namespace>-<app>`` for the recorded app, the bundle on the server belongs to
that content, and the server says it is not active. Content is never deleted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.bundle.build import (
    Bundle,
    BundleError,
    complete_bundle,
    rsconnect_executable,
    stage_bundle,
)
from scripts.catalog import AppInfo
from scripts.deploy.content import ContentError, content_name, find_own_content
from scripts.deploy.target import Target
from scripts.deploy.unchanged import MANIFEST, same_as_active
from scripts.preview.comment import Draft, PreviewRecord
from scripts.preview.paths import bundle_path, content_path

DRAFT_TIMEOUT_S = 900.0  # one app's upload, build and check
DRAFT_ID = re.compile(r"/draft/(?P<id>\d+)")
NOT_FOUND = 404


class PreviewError(RuntimeError):
    """One app's draft could not be made or deleted; the message says why.

    ``draft``: a bundle that was uploaded and built but failed its check (it
    does not start): known exactly, so it is deleted rather than left behind.
    """

    def __init__(self, message: str, draft: Draft | None = None) -> None:
        super().__init__(message)
        self.draft = draft


@dataclass(frozen=True)
class DraftRun:
    """What every draft of one run shares."""

    client: Client
    target: Target
    owner_guid: str
    namespace: str


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


def status_of(error: Exception) -> int | None:
    if isinstance(error, ClientError):
        return error.http_status
    response = getattr(error, "response", None)
    return response.status_code if response is not None else None


def describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"Connect API error (HTTP {error.http_status}): {error.error_message}"
    return str(error) or type(error).__name__


def _check_content(run: DraftRun, draft: Draft) -> None:
    content = run.client.get(content_path(draft.guid)).json()
    if content.get("owner_guid") != run.owner_guid:
        raise PreviewError(f"content {draft.guid} is not the deployer's own; not deleted")
    expected = content_name(run.namespace, draft.app)
    if content.get("name") != expected:
        raise PreviewError(
            f"content {draft.guid} is {content.get('name')!r}, not {expected!r} (app "
            f"{draft.app}'s content); not deleted"
        )


def delete_draft(run: DraftRun, draft: Draft) -> str:
    """Delete one draft bundle; what happened, in words (PreviewError: refused)."""
    path = bundle_path(draft.guid, draft.bundle_id)
    try:
        _check_content(run, draft)
        bundle = run.client.get(path).json()
    except (ClientError, requests.HTTPError) as error:
        if status_of(error) == NOT_FOUND:
            return "already gone"
        raise
    if bundle.get("content_guid") != draft.guid or str(bundle.get("id")) != draft.bundle_id:
        raise PreviewError(f"bundle {draft.bundle_id} is not {draft.guid}'s; not deleted")
    if bundle.get("active") is not False:
        return "left alone: the server does not say it is inactive (the active bundle?)"
    run.client.delete(path)
    return "deleted"


def delete_drafts(run: DraftRun, drafts: list[Draft]) -> dict[tuple[str, str], str]:
    """Delete each draft; (guid, bundle id) -> why, for the ones that were not."""
    failed = {}
    for draft in drafts:
        try:
            outcome = delete_draft(run, draft)
        except (PreviewError, ClientError, requests.RequestException) as error:
            failed[draft.key] = run.target.redact(f"draft {draft.bundle_id}: {describe(error)}")
            outcome = "NOT deleted: " + failed[draft.key]
        print(f"[{draft.app}] draft {draft.bundle_id} of {draft.guid}: {outcome}", flush=True)
    return failed


def draft_app(
    run: DraftRun,
    app: AppInfo,
    where: tuple[Path, Path],
    environ: Mapping[str, str],
    record: PreviewRecord,
) -> None:
    """Draft one app into ``record`` (or note why not); compared with the active bundle first.

    ``where``: (the bundles folder, the workspace).
    """
    name = content_name(run.namespace, app.name)
    bundles, workspace = where
    try:
        bundle = stage_bundle(app, bundles, environ=environ, workspace=workspace)
        content = find_own_content(run.client, name, run.owner_guid)
        if content is None:
            record.missing.append(app.name)
            print(f"[{app.name}] no content named {name} owned by the deployer: not previewed")
        elif same_as_active(run.client, content, bundle.path):
            record.unchanged.append(app.name)
            print(f"[{app.name}] same as the active bundle: no draft")
        else:
            complete_bundle(bundle, environ=environ)
            draft = upload_draft(bundle, content, run.target, environ)
            record.drafts.append(draft)
            print(f"[{app.name}] draft {draft.bundle_id}: {draft.url}", flush=True)
    except PreviewError as error:
        record.failed[app.name] = run.target.redact(str(error))
        if error.draft is not None and delete_drafts(run, [error.draft]):
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
        record.failed[app.name] = run.target.redact(describe(error))
        print(f"[{app.name}] FAILED: {record.failed[app.name]}", file=sys.stderr)
