"""Deploy tasks: build a bundle, start it, and make it the content's active bundle.

A draft (``activate: false``) runs under ``/content/<guid>/_bundle<id>/``,
where rsconnect verifies it before asking to activate it. Activation starts
the bundle under ``/content/<guid>/`` and stops the previous process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from scripts.connect_local.app_processes import AppProcess, AppStartError, ProcessManager
from scripts.connect_local.builder import (
    BuildError,
    Log,
    build,
    environment_of,
    installed_packages,
    interpreter_for,
    python_version_of,
    read_manifest,
    require_python,
    this_python,
    unpack,
)
from scripts.connect_local.directory import now_iso
from scripts.connect_local.faults import Faults
from scripts.connect_local.oauth_tokens import TokenMint
from scripts.connect_local.store import Store
from scripts.connect_local.tasks import Task, TaskRegistry

UNPACKED_MARKER = ".connect-local-unpacked"


def _quiet(_line: str) -> None:
    """A build log nobody reads (a restart or a lazy start outside any task)."""


@dataclass
class ServerIdentity:
    """What an app process is told about the server (set once the port is bound)."""

    url: str = ""
    python_versions: tuple[str, ...] = ()  # what GET v1/server_settings/python lists
    mint: TokenMint = field(default_factory=TokenMint)  # each process's own CONNECT_API_KEY

    def installations(self) -> tuple[str, ...]:
        return self.python_versions or (this_python(),)


def content_prefix(guid: str) -> str:
    return f"/content/{guid}/"


def draft_prefix(guid: str, bundle_id: str) -> str:
    return f"/content/{guid}/_bundle{bundle_id}/"


def process_key(guid: str, bundle_id: str | None = None) -> str:
    """The active process of a content item, or the draft process of one bundle."""
    return guid if bundle_id is None else f"{guid}/_bundle{bundle_id}"


def entrypoint_for(manifest: dict[str, object]) -> str:
    """``app:app`` style; a bare module name means its ``app`` object, as for Dash."""
    metadata = manifest.get("metadata")
    entry = metadata.get("entrypoint") if isinstance(metadata, dict) else None
    entry = str(entry or "app")
    return entry if ":" in entry else f"{entry}:app"


class Deployer:
    def __init__(
        self,
        store: Store,
        tasks: TaskRegistry,
        processes: ProcessManager,
        faults: Faults,
        identity: ServerIdentity,
        environments_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.environments_dir = environments_dir or store.state_dir / "environments"
        self.tasks = tasks
        self.processes = processes
        self.faults = faults
        self.identity = identity
        self._content_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._stopping = threading.Event()

    def _lock_for(self, guid: str) -> threading.Lock:
        with self._locks_lock:
            return self._content_locks.setdefault(guid, threading.Lock())

    # -- tasks -------------------------------------------------------------------------

    def deploy(self, guid: str, bundle_id: str, activate: bool, caller_guid: str = "") -> Task:
        """Start a deploy task in the background and return it at once (``caller_guid``'s)."""
        task = self.tasks.create(f"deploy bundle {bundle_id} of {guid}", caller_guid)
        thread = threading.Thread(
            target=self._run_deploy, args=(task, guid, bundle_id, activate), daemon=True
        )
        thread.start()
        return task

    def _run_deploy(self, task: Task, guid: str, bundle_id: str, activate: bool) -> None:
        try:
            with self._lock_for(guid):
                self._deploy_steps(task, guid, bundle_id, activate)
        except (BuildError, AppStartError) as error:
            for line in str(error).splitlines():
                task.log(line)
            task.finish(code=1, error=str(error).splitlines()[0])
        except Exception as error:  # a bug here must still end the task, visibly
            task.log(f"Internal error in the stand-in: {error!r}")
            task.finish(code=1, error=f"internal error: {error!r}")
        else:
            task.finish(code=0)

    def _deploy_steps(self, task: Task, guid: str, bundle_id: str, activate: bool) -> None:
        delay = self.faults.task_delay_s
        if delay > 0:
            task.log(f"(fault injection) this task is slowed down by {delay:g}s")
            self._stopping.wait(delay)
        mode = "activate" if activate else "draft"
        task.log(f"Deploying bundle {bundle_id} of content {guid} ({mode})")
        bundle_dir = self.store.bundle_dir(guid, bundle_id)
        injected = self.faults.take_build_failure()
        if injected is not None:
            raise BuildError(injected)
        python = self._ensure_built(bundle_dir, task.log)
        self._record_packages(guid, bundle_id, environment_of(python))
        prefix = content_prefix(guid) if activate else draft_prefix(guid, bundle_id)
        key = process_key(guid, None if activate else bundle_id)
        task.log(f"Starting the app at {prefix}")
        self._start(guid, python, bundle_dir, prefix, key)
        task.log("The app answered: it is running.")
        # one draft process per content item: a newer draft replaces older ones
        for other in self.processes.keys():  # noqa: SIM118 (a method, not a dict)
            if other.startswith(f"{guid}/") and other != key:
                self.processes.stop(other)
        if activate:
            metadata = read_manifest(bundle_dir / "app").get("metadata", {})
            app_mode = (
                metadata.get("appmode", "unknown") if isinstance(metadata, dict) else "unknown"
            )
            with self.store.change() as state:
                content = state["content"][guid]
                content["bundle_id"] = bundle_id
                content["app_mode"] = app_mode
                content["last_deployed_time"] = now_iso()
                for bundle in state["bundles"].get(guid, {}).values():
                    bundle["active"] = bundle["id"] == bundle_id
            task.log("Activated: this bundle now serves the content.")

    def _record_packages(self, guid: str, bundle_id: str, environment: Path) -> None:
        """What the bundle's build installed, as Connect records it (packages, lockfile)."""
        record = {
            "python": python_version_of(environment),
            "packages": [list(p) for p in installed_packages(environment)],
        }
        with self.store.change() as state:
            state["packages"].setdefault(guid, {})[bundle_id] = record

    def _ensure_built(self, bundle_dir: Path, log: Log = _quiet) -> Path:
        """Unpack (once) and build; the environment's python."""
        if not (bundle_dir / UNPACKED_MARKER).is_file():
            log("Unpacking the bundle")
            unpack(bundle_dir / "bundle.tar.gz", bundle_dir / "app")
            (bundle_dir / UNPACKED_MARKER).write_text("unpacked\n")
        version = require_python(read_manifest(bundle_dir / "app"), self.identity.installations())
        log(f"Python {version} of this server's {', '.join(self.identity.installations())} fits")
        return build(
            bundle_dir / "app", self.environments_dir, log, python=interpreter_for(version)
        )

    def _start(
        self, guid: str, python: Path, bundle_dir: Path, prefix: str, key: str
    ) -> AppProcess:
        app_dir = bundle_dir / "app"
        with self.store.read() as state:
            content_env = dict(state["environment"].get(guid, {}))
            owner_guid = state["content"][guid]["owner_guid"]
        venv_bin = python.parent
        env = {
            "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "PYTHONUNBUFFERED": "1",
            **content_env,
            # what Connect sets for every content process (these win over content vars)
            "DASH_REQUESTS_PATHNAME_PREFIX": prefix,
            "RSTUDIO_PRODUCT": "CONNECT",
            "POSIT_PRODUCT": "CONNECT",
            "CONNECT_SERVER": self.identity.url + "/",
            # A key of the content's owner for this process alone (the OAuth exchange
            # asks for it): the API accepts it, /__login__ does not (it is no one's).
            "CONNECT_API_KEY": self.identity.mint.content_key(guid, owner_guid),
            "CONNECT_CONTENT_GUID": guid,
        }
        return self.processes.start(
            key,
            python=python,
            app_dir=app_dir,
            entrypoint=entrypoint_for(read_manifest(app_dir)),
            env=env,
            log_path=bundle_dir / "app.log",
        )

    # -- serving -----------------------------------------------------------------------

    def running(self, guid: str, bundle_id: str | None = None) -> AppProcess:
        """The process serving ``guid`` (or one draft bundle), started when not running."""
        key = process_key(guid, bundle_id)
        found = self.processes.get(key)
        if found is not None:
            return found
        with self._lock_for(guid):
            found = self.processes.get(key)
            if found is not None:
                return found
            if bundle_id is None:
                with self.store.read() as state:
                    active = state["content"].get(guid, {}).get("bundle_id")
                if not active:
                    raise AppStartError("this content has no active bundle: deploy one first")
                bundle_dir = self.store.bundle_dir(guid, active)
                prefix = content_prefix(guid)
            else:
                bundle_dir = self.store.bundle_dir(guid, bundle_id)
                prefix = draft_prefix(guid, bundle_id)
            if not (bundle_dir / "bundle.tar.gz").is_file():
                raise AppStartError(f"bundle {bundle_id or ''} of {guid} does not exist")
            python = self._ensure_built(bundle_dir)
            return self._start(guid, python, bundle_dir, prefix, key)

    def bring_up_all(self) -> None:
        """After a restart: start every content item that has an active bundle."""
        with self.store.read() as state:
            guids = [g for g, c in state["content"].items() if c.get("bundle_id")]
        for guid in guids:
            threading.Thread(target=self._bring_up, args=(guid,), daemon=True).start()

    def _bring_up(self, guid: str) -> None:
        # on failure the proxy retries on the next request and shows the error then
        with contextlib.suppress(BuildError, AppStartError):
            self.running(guid)

    def delete_bundle(self, guid: str, bundle_id: str) -> bool:
        """Stop and remove a bundle that is not active; False when it is the active one."""
        with self._lock_for(guid):  # no deploy of this content runs meanwhile
            with self.store.read() as state:
                if state["content"].get(guid, {}).get("bundle_id") == bundle_id:
                    return False
            self.processes.stop(process_key(guid, bundle_id))
            shutil.rmtree(self.store.bundle_dir(guid, bundle_id), ignore_errors=True)
            with self.store.change() as state:
                state["bundles"].get(guid, {}).pop(bundle_id, None)
                state["packages"].get(guid, {}).pop(bundle_id, None)
        return True

    def restart(self, guid: str) -> None:
        """Stop every process of a content item; the next request starts it again with
        its current environment (Connect restarts content whose variables change)."""
        for key in self.processes.keys():  # noqa: SIM118 (a method, not a dict)
            if key == guid or key.startswith(f"{guid}/"):
                self.processes.stop(key)

    def forget(self, guid: str) -> None:
        """Stop every process of a deleted content item."""
        self.restart(guid)

    def shutdown(self) -> None:
        self._stopping.set()
        self.processes.stop_all()
