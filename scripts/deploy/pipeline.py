"""One app's deploy, step by step; the same reads for a dry run, which writes nothing.

In the order ``AppDeploy.run`` takes them: check (Python version, groups,
OAuth integrations, tags) -> find own content -> compare the staged bundle
with the active one -> complete a changed bundle (import check, manifest) ->
create the content if missing -> settings, with the integrations, tags and
thumbnail (``content_extras``; applied before the upload) -> unchanged bundle:
stop, "unchanged" or "settings updated" -> upload with rsconnect (draft,
verify, activate) -> verify the URL (and the vanity URL).
A failure at any step fails this app alone; before the upload it leaves the active bundle serving.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from posit.connect import Client
from posit.connect.content import ContentItem
from posit.connect.errors import ClientError

from scripts.bundle.build import Bundle, BundleError, complete_bundle
from scripts.deploy.api import connect_client, plain_session
from scripts.deploy.changes import Changes, SettingsRefused, apply_changes, plan_changes
from scripts.deploy.content import CREATED as CREATED_CONTENT
from scripts.deploy.content import ContentError, create_own_content, locate
from scripts.deploy.content_extras import (
    Extras,
    ExtrasPlan,
    apply_extras,
    describe_settings,
    plan_extras,
    resolve_extras,
)
from scripts.deploy.groups import GroupError, resolve_groups
from scripts.deploy.preflight import ServerInfo, python_mismatch
from scripts.deploy.progress import Progress
from scripts.deploy.publish import PublishError, publish
from scripts.deploy.report import (
    CREATED,
    FAILED,
    SETTINGS_UPDATED,
    UNCHANGED,
    UPDATED,
    UPLOAD_STEP,
    WOULD_CREATE,
    WOULD_UPDATE,
    AppResult,
)
from scripts.deploy.retry import RetryPolicy
from scripts.deploy.settings import DeploySettings
from scripts.deploy.target import Target
from scripts.deploy.unchanged import same_as_active
from scripts.deploy.verify import VerifyError, verify_content, verify_vanity

EXPECTED_ERRORS = (
    BundleError,
    ContentError,
    GroupError,
    SettingsRefused,
    PublishError,
    VerifyError,
    ClientError,
    requests.RequestException,
    OSError,
)


class PythonMismatch(RuntimeError):
    """The bundle's .python-version is not installed on the server."""


@dataclass(frozen=True)
class Server:
    target: Target
    info: ServerInfo
    policy: RetryPolicy


@dataclass(frozen=True)
class Options:
    environ: Mapping[str, str]  # the deployer's: values for deploy.environment, rsconnect's env
    dry_run: bool = False
    force: bool = False


@dataclass(frozen=True)
class AppJob:
    bundle: Bundle
    settings: DeploySettings
    name: str  # the content name

    @property
    def app(self) -> str:
        return self.bundle.app.name

    @property
    def app_dir(self) -> Path:
        return self.bundle.app.path

    def python_version(self) -> str:
        return (self.bundle.path / ".python-version").read_text().strip()


def describe_error(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"Connect API error (HTTP {error.http_status}): {error.error_message}"
    return str(error) or type(error).__name__


@contextmanager
def _timed(result: AppResult, step: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        result.timed(step, time.monotonic() - started)


def _check(job: AppJob, server: Server, client: Client) -> dict[str, str]:
    mismatch = python_mismatch(job.python_version(), server.info.python_versions)
    if mismatch:
        raise PythonMismatch(mismatch)
    settings = job.settings
    return resolve_groups(client, tuple(dict.fromkeys((*settings.groups, *settings.collaborators))))


def _verify(job: AppJob, server: Server, url: str) -> str:
    session = plain_session(server.policy)
    gated = job.settings.access_type == "acl" and bool(job.settings.groups)
    said = verify_content(session, url, server.target, gated=gated)
    if job.settings.vanity:
        vanity_url = server.target.url + job.settings.vanity
        said += "; vanity " + verify_vanity(session, vanity_url, server.target, gated=gated)
    return said


class AppDeploy:
    """The steps of one app's deploy; each records its seconds in the result."""

    def __init__(
        self, job: AppJob, server: Server, options: Options, result: AppResult, progress: Progress
    ) -> None:
        self.job, self.server, self.options = job, server, options
        self.result, self.progress = result, progress
        self.say = progress.for_app(job.app)
        self.client = connect_client(server.target, server.policy)
        self.extras = Extras()  # resolved by the check step

    def run(self) -> str:
        """The app's final status. Nothing is written before the bundle passed its checks."""
        job, options, result = self.job, self.options, self.result
        with _timed(result, "check"):
            group_guids = _check(job, self.server, self.client)
            self.extras = resolve_extras(self.client, job.settings, job.app_dir, self.server.info)
        with _timed(result, "find"):
            lookup = locate(
                self.client,
                job.name,
                self.server.info.user_guid,
                job.settings,
                self.server.target.url,
                create=False,
            )
        content = lookup.content
        same = content is not None and not options.force and self.unchanged(content)
        if not same:
            with _timed(result, "bundle"):  # the import check and manifest: changed bundles only
                complete_bundle(job.bundle, environ=options.environ)
        result.files, result.bundle_bytes = len(job.bundle.files()), job.bundle.size_bytes()
        if content is None and not options.dry_run:
            with _timed(result, "find"):
                lookup = create_own_content(
                    self.client, job.name, job.settings.title, self.server.info.user_guid, lookup
                )
                content = lookup.content
        self.say(lookup.describe(job.name))
        if content is not None:
            result.guid, result.url = content["guid"], content["content_url"]
        changes, extras = self.apply_settings(content, group_guids)
        if same:
            self.say("unchanged: the active bundle has the same files (FORCE=1 deploys anyway)")
            if (changes.differs or extras.parts) and not options.dry_run:
                self.say(f"settings updated ({describe_settings(changes.describe(), extras)})")
                return SETTINGS_UPDATED
            return UNCHANGED
        size = f"{result.files} files, {result.bundle_bytes / 1024:.0f} KiB"
        if options.dry_run:
            self.say(f"would upload {size}")
            return WOULD_CREATE if content is None else WOULD_UPDATE
        assert content is not None
        self.upload(content, size)
        with _timed(result, "verify"):
            self.say("verified: " + _verify(job, self.server, result.url))
        return CREATED if lookup.how == CREATED_CONTENT else UPDATED

    def unchanged(self, content: ContentItem) -> bool:
        with _timed(self.result, "compare"):
            return same_as_active(self.client, content, self.job.bundle.path)

    def apply_settings(
        self, content: ContentItem | None, group_guids: dict[str, str]
    ) -> tuple[Changes, ExtrasPlan]:
        """Every setting before any upload; a dry run only reads and says what it would do."""
        with _timed(self.result, "settings"):
            settings, environ = self.job.settings, self.options.environ
            changes = plan_changes(self.client, content, settings, group_guids, environ)
            extras = plan_extras(self.client, content, self.extras)
            if content is not None and not self.options.dry_run:
                apply_changes(self.client, content, changes)
                apply_extras(self.client, content, extras)
        done = "to apply" if self.options.dry_run else "applied"
        self.say(f"settings {done}: {describe_settings(changes.describe(), extras)}")
        return changes, extras

    def upload(self, content: ContentItem, size: str) -> None:
        mode = "draft, verify, activate" if self.server.info.drafts else "one step, no draft"
        self.say(f"uploading {size} ({mode}); log: {self.progress.log_path(self.job.app)}")
        with _timed(self.result, UPLOAD_STEP):
            published = publish(
                self.job.bundle.path,
                content["guid"],
                self.job.settings.title,
                self.server.target,
                policy=self.server.policy,
                environ=self.options.environ,
                on_line=self.progress.tool_output(self.job.app),
                on_retry=self.say,
            )
        self.result.attempts = published.attempts


def deploy_one(job: AppJob, server: Server, options: Options, progress: Progress) -> AppResult:
    """Every step for one app; its failure is recorded in the result, never raised."""
    started = time.monotonic()
    result = AppResult(
        job.app,
        FAILED,
        content_name=job.name,
        files=len(job.bundle.files()),
        bundle_bytes=job.bundle.size_bytes(),
    )
    try:
        result.status = AppDeploy(job, server, options, result, progress).run()
    except (*EXPECTED_ERRORS, PythonMismatch) as error:
        result.fail(server.target.redact(describe_error(error)))
    except Exception as error:  # an unexpected bug in one app's deploy must not stop the others
        result.fail(server.target.redact(f"unexpected {type(error).__name__}: {error}"))
    if result.failed:
        progress(job.app, f"FAILED: {result.error}")
    result.seconds = time.monotonic() - started
    progress(job.app, f"{result.status} in {result.seconds:.1f} s")
    return result
