"""`make run` itself, as a user types it: the Dash index under the prefix."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scripts.catalog import REPO_ROOT
from tests.support.ports import assert_port_fix_named, make_on_a_busy_port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def make_run(
    *args: str, shell_prefix: str = "", env: dict[str, str] | None = None
) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """``make run APP=hello PORT=<free> *args``; ``shell_prefix`` is typed before it in bash."""
    port = free_port()
    command = ["make", "--no-print-directory", "run", "APP=hello", f"PORT={port}", *args]
    process = subprocess.Popen(
        ["bash", "-c", f"{shell_prefix} {shlex.join(command)}"],
        env=env,
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


def visitor_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:  # the runner says who visits before it starts serving
        if line.startswith("visitor:"):
            return line.strip()
    raise AssertionError(f"make run exited with {process.wait()} before naming the visitor")


LOGIN = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(
    ("typed", "environ", "expected"),
    [
        # make variables after make: the form the README uses
        ("", {}, "visitor: anonymous (USER= and GROUPS= make one)"),
        # the env-prefix style: USER is someone else than the login, GROUPS reached make
        ("", {"USER": "alice", "GROUPS": "analysts"}, "visitor: alice, groups analysts"),
        # typed in bash, GROUPS=... never reaches make (bash's own variable): said so
        ("USER=alice GROUPS=analysts", {}, "visitor: alice, in no groups (no GROUPS= reached make"),
        # the login shell's own USER is not a visitor, and the runner says why
        ("", {"USER": LOGIN}, f"visitor: anonymous. USER={LOGIN} is your login name"),
        # nor does GROUPS make one of it; both are named as ignored
        (
            "",
            {"USER": LOGIN, "GROUPS": "analysts"},
            f"visitor: anonymous. USER={LOGIN} is your login name (from your shell), not a "
            "visitor; GROUPS=analysts is ignored without a USER; to visit as someone: "
            "make run APP=user-greeting USER=alice GROUPS=a,b",
        ),
    ],
    ids=["nobody", "env-user-and-groups", "bash-prefix", "login-user", "login-user-groups"],
)
def test_make_run_names_the_visitor_and_why(
    typed: str, environ: dict[str, str], expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("USER", "GROUPS")} | environ
    with make_run("APP=user-greeting", shell_prefix=typed, env=env) as (_, process):
        assert visitor_line(process).startswith(expected)


def test_make_run_user_on_the_command_line_wins() -> None:
    env = {**os.environ, "USER": LOGIN}
    with make_run("APP=user-greeting", "USER=bob", "GROUPS=a,b", env=env) as (_, process):
        assert visitor_line(process) == "visitor: bob, groups a, b"


def test_a_busy_port_is_named_with_the_setting_that_fixes_it() -> None:
    port, result = make_on_a_busy_port("run", "APP=hello")
    assert_port_fix_named(result, port, "make run APP=hello")
    assert "Connection in use" not in result.stderr  # gunicorn never got to retry
