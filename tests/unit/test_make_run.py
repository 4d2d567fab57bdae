"""`make run` itself, as a user types it: the Dash index under the prefix."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scripts.catalog import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def make_run(*args: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", "APP=hello", f"PORT={port}", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so the whole make -> uv -> gunicorn tree can be stopped
    )
    try:
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()  # an unclosed pipe is a ResourceWarning, an error here


def wait_for_url_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:  # blocks until the runner prints; ends if it exits
        if line.startswith("Serving "):
            return line
    raise AssertionError(f"make run exited with {process.wait()} before printing a URL")


def get(url: str) -> tuple[int, str]:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # poll until the worker has imported the app


@pytest.mark.parametrize(
    "prefix", [None, "/content/3f2c9a0e-5b1d-4c7e-9f1a-2b3c4d5e6f70/"], ids=["default", "PREFIX"]
)
def test_make_run_serves_hello_under_the_prefix(prefix: str | None) -> None:
    expected_prefix = prefix or "/content/hello/"
    with make_run(*([f"PREFIX={prefix}"] if prefix else [])) as (port, process):
        line = wait_for_url_line(process)
        assert f"http://127.0.0.1:{port}{expected_prefix}" in line
        status, index = get(f"http://127.0.0.1:{port}{expected_prefix}")
        assert status == 200
        assert f'src="{expected_prefix}_dash-component-suites/' in index
        status, layout = get(f"http://127.0.0.1:{port}{expected_prefix}_dash-layout")
        assert status == 200 and "props" in json.loads(layout)
