"""``make worker``: the app's Celery worker, or a clear word on why there is none."""

from __future__ import annotations

import os
import subprocess

import pytest

from scripts.catalog import REPO_ROOT

# Not inherited from a `make test APP=...` that runs this test.
MAKE_STATE = {"APP", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}


def make_worker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "worker", *args],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k not in MAKE_STATE},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("APP=report-builder",), "REDIS_URL is not set: report-builder runs its jobs in the web"),
        (("APP=hello", "REDIS_URL=redis://127.0.0.1:1/0"), "hello has no background jobs"),
        ((), "APP is not set: make worker APP=<name>"),
    ],
)
def test_no_worker_to_run_is_said_with_the_fix(args: tuple[str, ...], said: str) -> None:
    result = make_worker(*args)
    assert result.returncode != 0
    assert said in result.stderr, result.stderr
