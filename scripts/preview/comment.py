"""A pull request's previews: the record of what was made and the comment that shows them.

The comment is both what reviewers read and where the record lives: a hidden
marker finds the one comment to update in place, and a hidden JSON line lists
the preview content items (or, opted in, the draft bundles) made for the pull
request, so that a later push and the close (``make preview-cleanup``) find
them from any checkout or CI run, without state kept anywhere else.

A record is read back from a comment, so it is not trusted: every field is
checked when a record is built (``RecordError`` names the field), and text
from outside (server errors, build logs) is rendered inert, so it can neither
open nor close an HTML comment or a code span, nor carry a second record.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from scripts.catalog import NAME_PATTERN
from scripts.preview.paths import RecordError, checked_bundle_id, checked_guid

MARKER = "<!-- connect-preview -->"
_RECORD = re.compile(r"<!-- connect-preview-record (?P<json>\{.*?\}) -->")
_RECORD_START = "connect-preview-record"
CONTENT_NAME = re.compile(r"[A-Za-z0-9_-]{3,64}", re.ASCII)
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}", re.ASCII)
COMMIT = re.compile(r"[0-9a-f]{0,40}", re.ASCII)
# A link target the comment may show: http(s), no spaces, quotes, brackets or angle brackets.
URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+", re.ASCII)
MAX_OUTSIDE_TEXT = 600  # characters of a server's or a build's message shown per app
CONTENT, DRAFTS = "content", "drafts"

__all__ = ["MARKER", "Draft", "Preview", "PreviewRecord", "RecordError", "parse", "render"]


def _app(value: object, field_name: str = "app") -> str:
    if not isinstance(value, str) or NAME_PATTERN.fullmatch(value) is None:
        raise RecordError(f"{field_name} = {value!r} is not an app name; refused")
    return value


def _content_name(value: object) -> str:
    if not isinstance(value, str) or CONTENT_NAME.fullmatch(value) is None:
        raise RecordError(f"content_name = {value!r} is not a Connect content name; refused")
    return value


def _url(value: object, field_name: str = "url", *, empty: bool = False) -> str:
    if empty and value == "":
        return ""
    if not isinstance(value, str) or URL.fullmatch(value) is None:
        raise RecordError(f"{field_name} = {value!r} is not an http(s) URL; refused")
    return value


def inert(text: str) -> str:
    """Outside text as one short, inert line: no HTML comment, tag or code span can start or end.

    ``&``, ``<``, ``>`` and the backtick become HTML entities (rendered as the
    characters, read as nothing): ``<!--``, ``-->`` and a record cannot survive.
    """
    line = " ".join(text.split())
    if len(line) > MAX_OUTSIDE_TEXT:
        line = line[: MAX_OUTSIDE_TEXT - 1] + "…"
    return html.escape(line, quote=False).replace("`", "&#96;")


@dataclass(frozen=True)
class Draft:
    """A draft bundle of the deployer's production content (the opt-in drafts mode)."""

    app: str
    content_name: str
    guid: str
    bundle_id: str
    url: str  # the draft's own URL: <content_url>_bundle<id>/

    def __post_init__(self) -> None:
        _app(self.app)
        _content_name(self.content_name)
        checked_guid(self.guid)
        checked_bundle_id(self.bundle_id)
        _url(self.url)

    @property
    def key(self) -> tuple[str, str]:
        return self.guid, self.bundle_id


@dataclass(frozen=True)
class Preview:
    """An app's own preview content item, ``<namespace>-pr<N>-<app>`` (the default mode)."""

    app: str
    content_name: str
    guid: str
    url: str  # the content URL

    def __post_init__(self) -> None:
        _app(self.app)
        _content_name(self.content_name)
        checked_guid(self.guid)
        _url(self.url)


@dataclass
class PreviewRecord:
    pr: int
    commit: str = ""
    server: str = ""
    mode: str = CONTENT
    previews: list[Preview] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # apps identical to what is served
    missing: list[str] = field(default_factory=list)  # drafts mode: apps with no content yet
    failed: dict[str, str] = field(default_factory=dict)  # app -> why (outside text)
    # app -> declared variables with no PREVIEW_<NAME> value: left unset in its preview
    unset: dict[str, list[str]] = field(default_factory=dict)
    closed: bool = False  # the pull request closed and its previews were deleted
    # Earlier drafts whose deletion failed: retried by the next run and at cleanup.
    leftover: list[Draft] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.pr, int) or isinstance(self.pr, bool) or self.pr < 1:
            raise RecordError(f"pr = {self.pr!r} is not a pull request number; refused")
        if not isinstance(self.commit, str) or COMMIT.fullmatch(self.commit) is None:
            raise RecordError(f"commit = {self.commit!r} is not a commit hash; refused")
        _url(self.server, "server", empty=True)
        if self.mode not in (CONTENT, DRAFTS):
            raise RecordError(f"mode = {self.mode!r}; expected {CONTENT!r} or {DRAFTS!r}")
        for name in [*self.unchanged, *self.missing, *self.failed, *self.unset]:
            _app(name)
        for names in self.unset.values():
            if not isinstance(names, list) or not all(
                isinstance(n, str) and ENV_NAME.fullmatch(n) for n in names
            ):
                raise RecordError(f"unset = {names!r}: expected variable names; refused")
        if not all(isinstance(why, str) for why in self.failed.values()):
            raise RecordError("failed: every reason must be text; refused")

    def to_json(self) -> str:
        # "<" and ">" escaped: a value can neither end the hidden HTML comment nor open one.
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreviewRecord:
        def items(kind: type[Draft] | type[Preview], key: str) -> list[Any]:
            return [kind(**d) for d in data.get(key, [])]

        return cls(
            **{
                **data,
                "previews": items(Preview, "previews"),
                "drafts": items(Draft, "drafts"),
                "leftover": items(Draft, "leftover"),
            }
        )


def _names(apps: list[str]) -> str:
    return ", ".join(f"`{a}`" for a in apps)


def _previews_table(record: PreviewRecord) -> list[str]:
    rows = ["| App | Preview | Content |", "| --- | --- | --- |"]
    for item in sorted(record.previews, key=lambda p: p.app):
        rows.append(f"| `{item.app}` | [open the preview]({item.url}) | `{item.content_name}` |")
    return rows


def _drafts_table(record: PreviewRecord) -> list[str]:
    rows = ["| App | Draft | Content | Bundle |", "| --- | --- | --- | --- |"]
    for draft in sorted(record.drafts, key=lambda d: d.app):
        rows.append(
            f"| `{draft.app}` | [open the draft]({draft.url}) "
            f"| `{draft.content_name}` | {draft.bundle_id} |"
        )
    return rows


def _made(record: PreviewRecord) -> list[str]:
    if record.mode == DRAFTS and record.drafts:
        return [
            "Each app whose bundle differs from the one Connect serves was uploaded as a "
            "**draft** of its production content (opted in: PREVIEW_DRAFTS): the live "
            "version is unchanged. Drafts open for the content's owner, collaborators and "
            "administrators only.",
            "",
            *_drafts_table(record),
        ]
    if record.previews:
        return [
            "Each app this pull request changes is deployed as its own preview content, "
            "owned by the preview account, open only to the team's groups (the viewers of "
            "`[tool.monorepo.team]`), with the preview values of its environment variables "
            "(`PREVIEW_<NAME>`). Deleted when the pull request closes.",
            "",
            *_previews_table(record),
        ]
    return ["No app differs from what Connect serves: no previews."]


def _left_out(record: PreviewRecord) -> list[str]:
    lines = []
    if record.unchanged:
        lines += ["", "Unchanged (no new upload): " + _names(record.unchanged)]
    if record.missing:
        lines += [
            "",
            "No content on Connect yet (deploy main first, drafts only update): "
            + _names(record.missing),
        ]
    for app, names in sorted(record.unset.items()):
        listed = ", ".join(f"`{n}`" for n in names)
        lines += ["", f"`{app}`: no preview value for {listed} (left unset; set `PREVIEW_<NAME>`)"]
    for app, why in sorted(record.failed.items()):
        lines += ["", f"**`{app}` failed**: {inert(why)}"]
    return lines


def render(record: PreviewRecord) -> str:
    """The comment's Markdown: marker, one row per preview, what was left out and why."""
    short = record.commit[:7] or "this branch"
    lines = [MARKER, f"### Connect previews for `{short}`", ""]
    if record.closed:
        lines.append("The pull request is closed: its previews were deleted.")
    else:
        lines += [*_made(record), *_left_out(record)]
    if record.leftover:
        bundles = ", ".join(f"{d.app} {d.bundle_id}" for d in record.leftover)
        lines += ["", f"Earlier drafts not deleted yet (retried on the next run): {bundles}"]
    lines += ["", f"<!-- {_RECORD_START} {record.to_json()} -->", ""]
    return "\n".join(lines)


def parse(text: str, source: str = "the comment") -> PreviewRecord | None:
    """The record in a comment's text; None when it holds none (no previews yet).

    More than one record is refused: the tool writes exactly one, so a second
    one was put there by someone else.
    """
    records = text.count(f"<!-- {_RECORD_START}")
    if records > 1:
        raise RecordError(
            f"{source} holds {records} preview records; the tool writes one: "
            "refused, nothing is deleted. Delete the comment and check Connect by hand"
        )
    match = _RECORD.search(text)
    if match is None:
        return None
    try:
        data = json.loads(match["json"])
        if not isinstance(data, dict):
            raise TypeError("the record is not a JSON object")
        return PreviewRecord.from_json(data)
    except RecordError as error:
        raise RecordError(f"{source}: {error}; nothing is deleted") from None
    except (ValueError, TypeError) as error:
        raise RecordError(
            f"{source}: the preview record is not valid ({error}); delete the file "
            "(or the pull request comment) and the previews it listed by hand in Connect"
        ) from None
