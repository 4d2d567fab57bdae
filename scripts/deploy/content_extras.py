"""What Connect keeps beside a content item: OAuth integrations, tags, the thumbnail.

Like every other setting: checked before the first write (``resolve_extras``:
the integrations exist and suit the access type, the tags exist or the
deployer may create them), read and compared (``plan_extras``: a dry run
says what it would do), written before the upload and so before activation
(``apply_extras``), and skipped when unchanged.

Version gates (``check_server_version``, in the preflight): associations need
Connect 2024.08.0 (posit-sdk's ``Client.oauth``), thumbnails 2024.09.0. An
app that declares one on an older server is refused naming the version; the
default thumbnail (screenshot.png) is skipped there instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from posit.connect import Client
from posit.connect.content import ContentItem
from posit.connect.errors import ClientError

from scripts.deploy.changes import SettingsRefused
from scripts.deploy.integrations import current_integrations, resolve_integrations, set_integrations
from scripts.deploy.preflight import ServerInfo, at_least
from scripts.deploy.settings import DeploySettings, SettingsError
from scripts.deploy.tags import TagPlan, current_tags, resolve_tags, set_tags, wanted_ids
from scripts.deploy.thumbnail import current_thumbnail, read_thumbnail, set_thumbnail

OAUTH_MIN_VERSION = "2024.08.0"
THUMBNAIL_MIN_VERSION = "2024.09.0"


def _needs(settings: DeploySettings) -> list[tuple[str, str]]:
    needs = (
        [(OAUTH_MIN_VERSION, "deploy.oauth_integrations")] if settings.oauth_integrations else []
    )
    if settings.thumbnail and settings.thumbnail_declared:
        needs.append((THUMBNAIL_MIN_VERSION, "deploy.thumbnail"))
    return needs


def check_server_version(settings: DeploySettings, version: str) -> None:
    """SettingsError naming the version a declared extra needs, when the server is older."""
    too_old = [(need, key) for need, key in _needs(settings) if at_least(version, need) is False]
    if too_old:
        keys = ", ".join(key for _, key in too_old)
        need = max(n for n, _ in too_old)
        raise SettingsError(
            f"{keys} need(s) Connect {need} or newer, and this server is {version}: "
            "upgrade Connect or remove the setting"
        )


@dataclass(frozen=True)
class Extras:
    """The declared extras, resolved against the server (None: not managed)."""

    integrations: tuple[str, ...] | None = None  # integration GUIDs
    tags: TagPlan | None = None
    thumbnail: bytes | None = None


def resolve_extras(
    client: Client, settings: DeploySettings, app_dir: Path, info: ServerInfo
) -> Extras:
    """Read-only checks before the first write; SettingsRefused says what is wrong."""
    integrations = None
    if settings.oauth_integrations:
        integrations = resolve_integrations(
            client, settings.oauth_integrations, settings.access_type
        )
    thumbnail = None
    if at_least(info.version, THUMBNAIL_MIN_VERSION) is not False:
        thumbnail = read_thumbnail(app_dir, settings.thumbnail)
    tags = resolve_tags(client, settings.tags, info.user_role == "administrator")
    return Extras(integrations, tags, thumbnail)


@dataclass
class ExtrasPlan:
    """What differs from the server; empty when everything is as declared."""

    integrations: tuple[str, ...] | None = None
    tags: TagPlan | None = None
    thumbnail: bytes | None = None
    parts: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return ", ".join(self.parts) or "none"


def plan_extras(client: Client, content: ContentItem | None, extras: Extras) -> ExtrasPlan:
    """Compare the declared extras with the content's (all new when it does not exist yet)."""
    plan = ExtrasPlan()
    if extras.integrations is not None:
        have = current_integrations(content) if content is not None else set()
        if have != set(extras.integrations):
            plan.integrations = extras.integrations
            plan.parts.append(f"oauth integrations {len(extras.integrations)}")
    if extras.tags is not None:
        have = current_tags(content) if content is not None else set()
        wanted = wanted_ids(extras.tags)
        added = [p for p in extras.tags.declared if extras.tags.known.get(p) not in have]
        if added or have - wanted:
            plan.tags = extras.tags
            plan.parts.append(f"tags +{len(added)} -{len(have - wanted)}")
    if extras.thumbnail is not None:
        have_image = current_thumbnail(client, content["guid"]) if content is not None else None
        if have_image != extras.thumbnail:
            plan.thumbnail = extras.thumbnail
            plan.parts.append("thumbnail")
    return plan


def apply_extras(client: Client, content: ContentItem, plan: ExtrasPlan) -> None:
    """The writes, each only when it differs; Connect's refusal is SettingsRefused."""
    try:
        if plan.integrations is not None:
            set_integrations(content, plan.integrations)
        if plan.tags is not None:
            set_tags(client, content, plan.tags)
        if plan.thumbnail is not None:
            set_thumbnail(client, content["guid"], plan.thumbnail)
    except ClientError as error:
        raise SettingsRefused(
            f"Connect refused {plan.describe()} (HTTP {error.http_status}, code "
            f"{error.error_code}): {error.error_message}; nothing was uploaded, the active "
            "bundle still serves"
        ) from None


def describe_settings(changes_text: str, plan: ExtrasPlan) -> str:
    """One line for the content's settings and its extras."""
    parts = [p for p in (changes_text, plan.describe()) if p != "none"]
    return ", ".join(parts) or "none"
