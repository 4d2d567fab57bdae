"""A pull request's previews: the record of its drafts and the comment that shows them.

The comment is both what reviewers read and where the record lives: a hidden
marker finds the one comment to update in place, and a hidden JSON line lists
the draft bundles made for the pull request, so that a later push (new
drafts) and the close (``make preview-cleanup``) delete exactly those, from
any checkout or CI run, without state kept anywhere else.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

MARKER = "<!-- connect-preview -->"
_RECORD = re.compile(r"<!-- connect-preview-record (?P<json>\{.*\}) -->")


class RecordError(ValueError):
    """The comment's record is unreadable; the message names the file and the fix."""


@dataclass(frozen=True)
class Draft:
    app: str
    content_name: str
    guid: str
    bundle_id: str
    url: str  # the draft's own URL: <content_url>_bundle<id>/

    @property
    def key(self) -> tuple[str, str]:
        return self.guid, self.bundle_id


@dataclass
class PreviewRecord:
    pr: int
    commit: str = ""
    server: str = ""
    drafts: list[Draft] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # apps identical to the active bundle
    missing: list[str] = field(default_factory=list)  # apps with no content of the deployer's
    failed: dict[str, str] = field(default_factory=dict)  # app -> why
    closed: bool = False  # the pull request closed and its drafts were deleted
    # Earlier drafts whose deletion failed: retried by the next run and at cleanup.
    leftover: list[Draft] = field(default_factory=list)

    def to_json(self) -> str:
        # ">" escaped: a "-->" in a value would end the hidden HTML comment early.
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return text.replace(">", "\\u003e")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreviewRecord:
        drafts = [Draft(**d) for d in data.get("drafts", [])]
        leftover = [Draft(**d) for d in data.get("leftover", [])]
        return cls(**{**data, "drafts": drafts, "leftover": leftover})


def _drafts_table(record: PreviewRecord) -> list[str]:
    rows = ["| App | Draft | Content | Bundle |", "| --- | --- | --- | --- |"]
    for draft in sorted(record.drafts, key=lambda d: d.app):
        rows.append(
            f"| `{draft.app}` | [open the draft]({draft.url}) "
            f"| `{draft.content_name}` | {draft.bundle_id} |"
        )
    return rows


def render(record: PreviewRecord) -> str:
    """The comment's Markdown: marker, one row per draft, what was left out and why."""
    short = record.commit[:7] or "this branch"
    lines = [MARKER, f"### Connect previews for `{short}`", ""]
    if record.closed:
        lines.append("The pull request is closed: its draft bundles were deleted.")
    elif record.drafts:
        lines += [
            "Each app whose bundle differs from the one Connect serves was uploaded as a "
            "**draft** of its content: the live version is unchanged. Drafts open for the "
            "content's owner, collaborators and administrators only.",
            "",
            *_drafts_table(record),
        ]
    else:
        lines.append("No app differs from what Connect serves: no drafts.")
    if not record.closed:
        if record.unchanged:
            lines += ["", "Unchanged (no draft): " + ", ".join(f"`{a}`" for a in record.unchanged)]
        if record.missing:
            lines += [
                "",
                "No content on Connect yet (deploy main first, previews only update): "
                + ", ".join(f"`{a}`" for a in record.missing),
            ]
        for app, why in sorted(record.failed.items()):
            lines += ["", f"**`{app}` failed**: {' '.join(why.split())}"]  # one line
    if record.leftover:
        bundles = ", ".join(f"{d.app} {d.bundle_id}" for d in record.leftover)
        lines += ["", f"Earlier drafts not deleted yet (retried on the next run): {bundles}"]
    lines += ["", f"<!-- connect-preview-record {record.to_json()} -->", ""]
    return "\n".join(lines)


def parse(text: str, source: str = "the comment") -> PreviewRecord | None:
    """The record in a comment's text; None when it holds none (no previews yet)."""
    match = _RECORD.search(text)
    if match is None:
        return None
    try:
        return PreviewRecord.from_json(json.loads(match["json"]))
    except (ValueError, TypeError) as error:
        raise RecordError(
            f"{source}: the preview record is not valid ({error}); delete the file "
            "(or the pull request comment) and the drafts it listed by hand in Connect"
        ) from None
