"""One app's deploy, step by step; the same reads for a dry run, which writes nothing.

check (Python version, groups) -> find own content (or create it) -> settings
(applied before the upload) -> compare with the active bundle (unchanged:
stop) -> upload with rsconnect (draft, verify, activate) -> verify the URL
(and the vanity URL). A failure at any step fails this app alone; before
the upload it leaves the active bundle serving.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.ship.bundles import Bundle
from scripts.ship.deploy.api import connect_client, plain_session
from scripts.ship.deploy.changes import SettingsRefused, apply_changes, plan_changes
from scripts.ship.deploy.content import CREATED as CREATED_CONTENT
from scripts.ship.deploy.content import ContentError, Lookup, locate
from scripts.ship.deploy.groups import GroupError, resolve_groups
from scripts.ship.deploy.preflight import ServerInfo, python_mismatch
from scripts.ship.deploy.progress import Progress
from scripts.ship.deploy.publish import PublishError, publish
from scripts.ship.deploy.report import (
    CREATED,
    FAILED,
    UNCHANGED,
    UPDATED,
    UPLOAD_STEP,
    WOULD_CREATE,
    WOULD_UPDATE,
    AppResult,
)
from scripts.ship.deploy.retry import RetryPolicy
from scripts.ship.deploy.settings import DeploySettings
from scripts.ship.deploy.target import Target
from scripts.ship.deploy.unchanged import same_as_active
from scripts.ship.deploy.verify import VerifyError, verify_content

EXPECTED_ERRORS = (
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
    return resolve_groups(client, job.settings.groups)


def _verify(job: AppJob, server: Server, url: str) -> str:
    session = plain_session(server.policy)
    gated = job.settings.access_type == "acl" and bool(job.settings.groups)
    said = verify_content(session, url, server.target, gated=gated)
    if job.settings.vanity:
        vanity_url = server.target.url + job.settings.vanity
        said += "; vanity " + verify_content(session, vanity_url, server.target, gated=gated)
    return said


def _steps(
    job: AppJob, server: Server, options: Options, result: AppResult, progress: Progress
) -> str:
    say = progress.for_app(job.app)
    client = connect_client(server.target, server.policy)
    with _timed(result, "check"):
        group_guids = _check(job, server, client)
    with _timed(result, "find"):
        lookup: Lookup = locate(
            client,
            job.name,
            server.info.user_guid,
            job.settings,
            server.target.url,
            create=not options.dry_run,
        )
    say(lookup.describe(job.name))
    content = lookup.content
    if content is not None:
        result.guid, result.url = content["guid"], content["content_url"]
    with _timed(result, "settings"):
        changes = plan_changes(client, content, job.settings, group_guids, options.environ)
        if content is not None and not options.dry_run:
            apply_changes(client, content, changes)
    say(f"settings {'to apply' if options.dry_run else 'applied'}: {changes.describe()}")
    if content is not None and not options.force:
        with _timed(result, "compare"):
            same = same_as_active(client, content, job.bundle.path)
        if same:
            say("unchanged: the active bundle has the same files (FORCE=1 deploys anyway)")
            return UNCHANGED
    size = f"{result.files} files, {result.bundle_bytes / 1024:.0f} KiB"
    if options.dry_run:
        say(f"would upload {size}")
        return WOULD_CREATE if content is None else WOULD_UPDATE
    assert content is not None
    mode = "draft, verify, activate" if server.info.drafts else "one step: no draft on this server"
    say(f"uploading {size} ({mode}); log: {progress.log_path(job.app)}")
    with _timed(result, UPLOAD_STEP):
        published = publish(
            job.bundle.path,
            content["guid"],
            job.settings.title,
            server.target,
            policy=server.policy,
            environ=options.environ,
            on_line=progress.tool_output(job.app),
            on_retry=say,
        )
    result.attempts = published.attempts
    with _timed(result, "verify"):
        say("verified: " + _verify(job, server, result.url))
    return CREATED if lookup.how == CREATED_CONTENT else UPDATED


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
        result.status = _steps(job, server, options, result, progress)
    except (*EXPECTED_ERRORS, PythonMismatch) as error:
        result.error = server.target.redact(describe_error(error))
    except Exception as error:  # an unexpected bug in one app's deploy must not stop the others
        result.error = server.target.redact(f"unexpected {type(error).__name__}: {error}")
    if result.error:
        result.status = FAILED
        progress(job.app, f"FAILED: {result.error}")
    result.seconds = time.monotonic() - started
    progress(job.app, f"{result.status} in {result.seconds:.1f} s")
    return result
