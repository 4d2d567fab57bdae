"""Upload one bundle with the real rsconnect CLI, retrying transient failures.

The content already exists (found or created, its settings applied), so every
deploy is ``--app-id GUID``: a retry or a second run replaces the bundle, never
adds content. ``rsconnect deploy manifest`` uploads exactly the bundle's own
manifest and the files it lists (the bundle compared by ``unchanged``); on
Connect 2025.06.0+ it builds a draft, checks it and only then activates.
Output lines stream to ``on_line`` (redacted) as they come.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scripts.bundle.build import rsconnect_executable
from scripts.deploy.retry import RetryPolicy, is_transient_cli_failure
from scripts.deploy.target import Target
from scripts.deploy.unchanged import MANIFEST

DEFAULT_TIMEOUT_S = 900.0  # one app's whole upload, build and verification
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # rsconnect colours its output


class PublishError(RuntimeError):
    """rsconnect failed (after retries, for transient failures); the message has its output."""


@dataclass(frozen=True)
class PublishResult:
    attempts: int
    output: str  # redacted


def deploy_command(bundle_dir: Path, guid: str, title: str, target: Target) -> list[str]:
    """Environment variables are not on it: they are set through the API before the upload."""
    command = [rsconnect_executable(), "deploy", "manifest", *target.rsconnect_args()]
    command += ["--app-id", guid, "--title", title]
    return [*command, str(bundle_dir / MANIFEST)]


def _run_once(
    command: list[str],
    env: Mapping[str, str],
    target: Target,
    on_line: Callable[[str], None],
    timeout_s: float,
) -> tuple[int | None, str]:
    """(exit status or None on timeout, redacted output)."""
    killed = threading.Event()
    lines = []
    # The with block closes the pipe and reaps the process, killed or not.
    with subprocess.Popen(
        command, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                line = target.redact(_ANSI_ESCAPE.sub("", raw).rstrip())
                lines.append(line)
                if line.strip():
                    on_line(line)
            process.wait()
        finally:
            timer.cancel()
    return (None if killed.is_set() else process.returncode), "\n".join(lines)


def publish(
    bundle_dir: Path,
    guid: str,
    title: str,
    target: Target,
    *,
    policy: RetryPolicy,
    on_line: Callable[[str], None] = lambda line: None,
    on_retry: Callable[[str], None] = lambda note: None,
    environ: Mapping[str, str] = os.environ,
    timeout_s: float | None = None,
) -> PublishResult:
    """Run rsconnect until it succeeds, fails for good, or runs out of attempts.

    ``timeout_s`` (default ``DEPLOY_TIMEOUT`` from ``environ``, else 900 s) bounds
    each attempt: a hung upload or build fails this app, not the batch.
    """
    timeout_s = timeout_s or float(environ.get("DEPLOY_TIMEOUT") or DEFAULT_TIMEOUT_S)
    command = deploy_command(bundle_dir, guid, title, target)
    env = target.child_environment(environ)
    for attempt in range(1, policy.attempts + 1):
        status, output = _run_once(command, env, target, on_line, timeout_s)
        if status == 0:
            return PublishResult(attempts=attempt, output=output)
        if status is None:
            raise PublishError(f"rsconnect did not finish within {timeout_s:.0f}s")
        if not is_transient_cli_failure(output) or attempt == policy.attempts:
            tail = "\n".join(output.splitlines()[-8:])
            retried = f" after {attempt} attempts" if attempt > 1 else ""
            raise PublishError(f"rsconnect failed{retried} (exit {status}):\n{tail}")
        delay = policy.delay_before(attempt + 1)
        on_retry(
            f"transient failure; retrying in {delay:.1f}s (attempt {attempt + 1}/{policy.attempts})"
        )
        time.sleep(delay)
    raise AssertionError("unreachable")
