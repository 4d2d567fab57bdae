"""Previews as their own content: ``<namespace>-pr<N>-<app>``, owned by the preview account.

The default preview of a pull request. Each app the pull request changes is
deployed (the steps of ``scripts.deploy.pipeline``: settings first, then the
bundle, draft, check, activate) into its own content item, never into the
production one:

- owned by the deploying key's user (the preview account: its own key, in
  the ``preview`` GitHub Environment);
- access ``acl``, open to the team's groups (``[tool.monorepo.team]``) only,
  with the team's collaborators; no vanity URL;
- environment variables from the preview set: an app's declared ``NAME``
  takes the value of ``PREVIEW_NAME``, never ``NAME`` itself (a declared
  name with no preview value is left unset, and the comment says so).

The close deletes these items: found by listing the preview account's own
content and keeping only the names ``<namespace>-pr<N>-<app>`` of this pull
request, never from the record in the comment.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from posit.connect import Client

from scripts.catalog import AppInfo
from scripts.deploy.content import ContentError, normalise_namespace
from scripts.deploy.settings import DeploySettings
from scripts.deploy.team import TeamGroups
from scripts.preview.paths import checked_guid, content_path

PREVIEW_PREFIX = "PREVIEW_"
MAX_NAME = 64  # Connect's content names
# What decides every app's bundle: a change here previews them all.
SHARED_PATHS = ("shared/", "uv.lock", "pyproject.toml")
GIT_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./^~-]{0,127}", re.ASCII)
GIT_TIMEOUT_S = 60.0


def preview_name(namespace: str, pr: int, app: str) -> str:
    name = f"{normalise_namespace(namespace)}-pr{pr}-{app}"
    if len(name) > MAX_NAME:
        raise ContentError(f"preview name {name!r} is longer than Connect's {MAX_NAME} characters")
    return name


def name_pattern(namespace: str, pr: int) -> re.Pattern[str]:
    """The names of this pull request's previews, exactly (pr1 never matches pr12's)."""
    prefix = re.escape(f"{normalise_namespace(namespace)}-pr{pr}-")
    return re.compile(prefix + r"(?P<app>[a-z][a-z0-9-]{0,62})", re.ASCII)


def preview_settings(settings: DeploySettings, team: TeamGroups, pr: int) -> DeploySettings:
    """The app's settings for its preview: acl, the team's groups, no vanity, preview title."""
    return dataclasses.replace(
        settings,
        title=f"{settings.title} (PR {pr})"[:1024],
        description=f"Preview for pull request #{pr}. {settings.description}"[:4096].strip(),
        access_type="acl",
        groups=team.viewers,
        collaborators=team.collaborators,
        vanity=None,
        collaborator_servers=(),
    )


def preview_environ(
    environ: Mapping[str, str], declared: Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """(``environ`` with each declared NAME = PREVIEW_NAME, names with no preview value).

    The production value of a declared name is removed, whether or not a
    preview value exists: it must not reach the preview by accident.
    """
    declared = list(declared)
    result = {k: v for k, v in environ.items() if k not in declared}
    unset = []
    for name in declared:
        value = environ.get(PREVIEW_PREFIX + name)
        if not value:  # an environment's secret that is not set arrives empty
            unset.append(name)
        else:
            result[name] = value
    return result, unset


def check_revision(base: str) -> str:
    if GIT_REVISION.fullmatch(base) is None:
        raise ContentError(f"BASE={base!r}; expected a commit or branch name, e.g. origin/main")
    return base


def changed_apps(workspace: Path, base: str | None, apps: list[AppInfo]) -> list[AppInfo]:
    """The apps whose files differ from ``base``; every app without ``base`` or when shared
    files (``shared/``, ``uv.lock``, the root ``pyproject.toml``) changed."""
    if not base:
        return apps
    result = subprocess.run(
        ["git", "diff", "--name-only", "--no-renames", check_revision(base), "HEAD", "--"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise ContentError(
            f"`git diff {base} HEAD` failed ({result.stderr.strip()}); fetch the base commit "
            "(actions/checkout: fetch-depth: 2) or leave BASE unset to preview every app"
        )
    paths = result.stdout.splitlines()
    if any(p.startswith(SHARED_PATHS) for p in paths):
        return apps
    return [a for a in apps if any(p.startswith(f"apps/{a.name}/") for p in paths)]


def own_previews(client: Client, namespace: str, pr: int, owner_guid: str) -> dict[str, str]:
    """app -> GUID of the deployer's own content named exactly like this pull request's previews."""
    pattern = name_pattern(namespace, pr)
    found = {}
    for item in client.content.find(owner_guid=owner_guid):
        match = pattern.fullmatch(str(item.get("name", "")))
        if match is not None and item.get("owner_guid") == owner_guid:
            found[match["app"]] = checked_guid(item.get("guid"))
    return found


def delete_previews(
    client: Client, namespace: str, pr: int, owner_guid: str, keep: Iterable[str] = ()
) -> dict[str, str]:
    """Delete this pull request's previews (but the apps in ``keep``); app -> what happened."""
    kept = set(keep)
    outcome = {}
    for app, guid in sorted(own_previews(client, namespace, pr, owner_guid).items()):
        if app in kept:
            continue
        item = client.get(content_path(guid)).json()  # checked again just before the delete
        expected = preview_name(namespace, pr, app)
        if item.get("owner_guid") != owner_guid or item.get("name") != expected:
            outcome[app] = f"left alone: {guid} is not the deployer's own {expected}"
            continue
        client.delete(content_path(guid))
        outcome[app] = f"deleted {expected} ({guid})"
    return outcome
