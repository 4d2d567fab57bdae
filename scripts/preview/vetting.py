"""Vet a preview record written by the pull request's code, and render its comment here.

The preview job runs the pull request's code: whatever it writes to
``build/preview/pr-N.md`` is the pull request's to choose. The comment job
(base code, a write token) therefore posts nothing of that file: it parses the
record, refuses it unless it is a valid record *for this pull request*, and
posts only what ``comment.render`` makes of the vetted record. A refused record
is not posted at all (the step fails, naming why): the comment keeps the last
vetted record, which the close still reads.

A record is valid for pull request N when: its ``pr`` is N; every preview is
named ``<namespace>-pr<N>-<app>`` for its own ``app``, an app of the base
checkout, and its URL is on the record's server; drafts (only in drafts mode)
name an app of the base checkout, their content is ``<namespace>-<app>`` and
that name is not a preview's of any pull request (``<namespace>-pr<M>-...``).

    python -m scripts.preview.vetting --pr 12 --file build/preview/pr-12.md --out comment.md
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from scripts.catalog import REPO_ROOT, discover_apps
from scripts.deploy.content import (
    ContentError,
    content_name,
    normalise_namespace,
    resolve_namespace,
)
from scripts.preview.comment import DRAFTS, PreviewRecord, RecordError, parse, render
from scripts.preview.items import preview_name

TRUTHY = {"1", "true", "yes", "on"}  # how PREVIEW_DRAFTS is read (scripts.preview.cli too)


def any_preview_name(namespace: str) -> re.Pattern[str]:
    """Names of any pull request's previews: ``<namespace>-pr<digits>-...``."""
    return re.compile(re.escape(normalise_namespace(namespace)) + r"-pr[0-9]+-", re.ASCII)


def vet(
    record: PreviewRecord, pr: int, namespace: str, apps: Iterable[str], *, drafts: bool
) -> PreviewRecord:
    """``record`` if it is a valid record of pull request ``pr``; RecordError naming why."""
    known = set(apps)
    if record.pr != pr:
        raise RecordError(f"the record is for PR {record.pr}, not PR {pr}; refused")
    for item in record.previews:
        if item.app not in known:
            raise RecordError(f"preview of {item.app!r}: not an app of this repository; refused")
        expected = preview_name(namespace, pr, item.app)
        if item.content_name != expected:
            raise RecordError(
                f"preview {item.content_name!r} is not {expected!r} (PR {pr}'s {item.app}); refused"
            )
        if not record.server or not item.url.startswith(record.server.rstrip("/") + "/"):
            raise RecordError(f"preview URL {item.url!r} is not on {record.server!r}; refused")
    listed = [*record.drafts, *record.leftover]
    if listed and not drafts:
        raise RecordError("the record lists drafts, but drafts mode is off; refused")
    if record.mode == DRAFTS and not drafts:
        raise RecordError("the record is in drafts mode, but drafts mode is off; refused")
    previews = any_preview_name(namespace)
    for draft in listed:
        if draft.app not in known:
            raise RecordError(f"draft of {draft.app!r}: not an app of this repository; refused")
        expected = content_name(namespace, draft.app)
        if draft.content_name != expected or previews.match(expected):
            raise RecordError(
                f"draft on {draft.content_name!r}: not {draft.app}'s production content; refused"
            )
    return record


def vetted(
    text: str, source: str, pr: int, namespace: str, workspace: Path, *, drafts: bool
) -> PreviewRecord | None:
    """The record in ``text`` vetted for ``pr`` (None: no record); RecordError when refused."""
    record = parse(text, source)
    if record is None:
        return None
    apps = [app.name for app in discover_apps(workspace / "apps")]
    try:
        return vet(record, pr, namespace, apps, drafts=drafts)
    except ContentError as error:
        raise RecordError(f"{source}: {error}") from None


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pr", type=int, required=True)
    parser.add_argument("--file", type=Path, required=True, help="the preview job's output")
    parser.add_argument("--out", type=Path, required=True, help="the comment to post")
    parser.add_argument("--workspace", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    drafts = environ.get("PREVIEW_DRAFTS", "").strip().lower() in TRUTHY
    try:
        text = args.file.read_text() if args.file.is_file() else ""
        namespace = resolve_namespace(None, environ, args.workspace)
        record = vetted(text, str(args.file), args.pr, namespace, args.workspace, drafts=drafts)
    except (RecordError, OSError, UnicodeDecodeError) as error:
        print(f"error: refused, nothing posted: {error}", file=sys.stderr)
        return 1
    if record is None:
        print(f"error: {args.file} holds no preview record: nothing posted", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(record))
    print(f"vetted the record of PR {args.pr}: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
