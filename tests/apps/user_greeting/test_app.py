"""User greeting: the visitor from the credentials header, in the browser and
behind a plain WSGI server (where the header must be ignored)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.driver import WAIT_S
from scripts.browser.smoke import AppPage
from scripts.catalog import find_app
from tests.support.bootstrap_look import BOOTSTRAP_SELECT, mismatches
from tests.support.connect_server import ConnectServer, ConnectServers, known_principals

HEADER = "RStudio-Connect-Credentials"
SALUTATIONS = ("Greetings", "Aloha", "Hello")  # away from the default and back
UNKNOWN_GUID = "00000000-0000-4000-8000-000000000000"


def load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "user_greeting_app", find_app("user-greeting").module_file
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("salutation", "name", "expected"),
    [
        ("Hello", "alice", "Hello, alice."),
        ("Aloha", None, "Aloha, stranger."),
        ("Greetings", "", "Greetings, stranger."),
        ("<script>", "alice", "Hello, alice."),  # only the offered salutations
        (None, "alice", "Hello, alice."),
    ],
)
def test_greeting(salutation: str | None, name: str | None, expected: str) -> None:
    assert load_module().greeting(salutation, name) == expected


def pick(page: AppPage, salutation: str) -> None:
    """Choose a salutation in the Dash 4 dropdown (a button opening a listbox)."""
    driver: Any = page.driver
    driver.find_element(By.ID, "salutation").click()
    option: Any = WebDriverWait(driver, WAIT_S).until(
        lambda d: next(
            (
                o
                for o in d.find_elements(By.CSS_SELECTOR, "[role=listbox] [role=option]")
                if o.text == salutation
            ),
            None,
        )
    )
    option.click()


def wait_for_greeting(page: AppPage, expected: str) -> None:
    driver: Any = page.driver
    WebDriverWait(driver, WAIT_S).until(lambda _d: page.text("#greeting") == expected)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("user", "groups", "name", "groups_text"),
    [
        ("", [], "stranger", "You are in no groups."),
        ("alice", ["analysts", "sales-emea"], "alice", "Your groups: analysts, sales-emea"),
    ],
    ids=["anonymous", "alice"],
)
def test_every_salutation_greets_the_visitor(
    browser: Any, served_app: Any, user: str, groups: list[str], name: str, groups_text: str
) -> None:
    with served_app("user-greeting", user=user, groups=groups) as served:
        page = AppPage(browser, served, label=f"user-greeting-{name}").open()
        assert page.text("#visitor-name") == (user or "anonymous")
        assert page.text("#groups") == groups_text
        assert page.text("#greeting") == f"Hello, {name}."
        # Dash 4's dropdown dressed as Bootstrap's select (connectkit.css)
        trigger = ".dash-dropdown-trigger"
        assert mismatches(browser, "#salutation", BOOTSTRAP_SELECT, trigger) == {}
        for salutation in SALUTATIONS:
            pick(page, salutation)
            wait_for_greeting(page, f"{salutation}, {name}.")
            page.check()


@pytest.mark.browser
def test_malformed_header_renders_a_stranger(browser: Any, served_app: Any) -> None:
    with served_app("user-greeting", credentials="{not json") as served:
        page = AppPage(browser, served, label="user-greeting-malformed").open()
        assert page.text("#visitor-name") == "anonymous"
        assert page.text("#greeting") == "Hello, stranger."
        page.check()  # no console error, no failed request, no traceback
        stderr = served.stderr()
        assert stderr.count(f"Malformed {HEADER} header: it is not valid JSON") == 1
        assert "{not json" not in stderr  # the raw value is never logged


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers) -> Iterator[ConnectServer]:
    """The Connect API the app asks for names: the stand-in, or a real server."""
    with connect_server.start("user-greeting") as server:
        yield server


@pytest.mark.browser
@pytest.mark.parametrize("guid_mode", [True, False], ids=["guid-mode", "names-mode"])
def test_guids_become_names_only_in_guid_mode(
    browser: Any, served_app: Any, connect: ConnectServer, guid_mode: bool
) -> None:
    """GUID mode: names from the Connect API, an unknown GUID shown as it is. On a
    server that sends names, a user *named* like a real user's GUID is that name
    (were it looked up, the page would show the real user's name instead)."""
    known = known_principals(connect)
    env = {"CONNECT_SERVER": connect.url, "CONNECT_API_KEY": connect.api_key}
    if guid_mode:
        env["CONNECTKIT_CREDENTIALS_USE_GUIDS"] = "true"  # as the server's admin set it
    name = known.username if guid_mode else known.user_guid
    shown = f"{known.group_name}, {UNKNOWN_GUID}" if guid_mode else known.group_guid
    groups = [known.group_guid, UNKNOWN_GUID] if guid_mode else [known.group_guid]
    with served_app("user-greeting", user=known.user_guid, groups=groups, env=env) as served:
        page = AppPage(browser, served, label=f"user-greeting-guid-{guid_mode}").open()
        assert page.text("#visitor-name") == name
        assert page.text("#greeting") == f"Hello, {name}."
        assert page.text("#groups") == f"Your groups: {shown}"
        page.check()


def call_greeting(url: str, header: str | None) -> str:
    body = {
        "output": "greeting.children",
        "outputs": {"id": "greeting", "property": "children"},
        "inputs": [{"id": "salutation", "property": "value", "value": "Hello"}],
        "changedPropIds": ["salutation.value"],
    }
    request = urllib.request.Request(
        url + "_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({HEADER: header} if header else {})},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["response"]["greeting"]["children"])


LISTENING = re.compile(r"Listening at: (http://\S+)")


@contextmanager
def plain_gunicorn(tmp_path: Path, environ: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """The app under a bare gunicorn, as someone might start it on a network."""
    stderr_path = tmp_path / "gunicorn.stderr"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECT", "RSTUDIO_"))}
    env.update(environ)
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "app:app"]
    with stderr_path.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=find_app("user-greeting").path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 60
        while not (match := LISTENING.search(stderr_path.read_text(errors="replace"))):
            assert process.poll() is None, stderr_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.05)  # polling for the listening line
        url = match.group(1) + "/"
        while True:  # the worker imports the app after the master listens
            try:
                urllib.request.urlopen(url + "health", timeout=5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        yield url, stderr_path
    finally:
        process.terminate()
        process.wait(timeout=10)


FORGED = json.dumps({"user": "mallory", "groups": ["admins"]})


@pytest.mark.parametrize(
    ("environ", "greeting", "warned"),
    [
        ({}, "Hello, stranger.", True),  # a plain server on a network: ignored
        ({"RSTUDIO_PRODUCT": "CONNECT"}, "Hello, mallory.", False),  # on Connect: believed
    ],
    ids=["plain-server", "on-connect"],
)
def test_trust_rule_behind_a_real_wsgi_server(
    tmp_path: Path, environ: dict[str, str], greeting: str, warned: bool
) -> None:
    with plain_gunicorn(tmp_path, environ) as (url, stderr_path):
        assert call_greeting(url, FORGED) == greeting
        stderr = stderr_path.read_text(errors="replace")
    assert (f"{HEADER} header will be IGNORED" in stderr) is warned
