"""The proof: a plain Dash app nobody wrote for connectkit, with the built wheel beside it.

The app (``plain_app/app.py``: Dash's documentation example plus one import
and one f-string) and a ``requirements.txt`` naming the wheel ``uv build``
made are deployed with the real rsconnect CLI to the Connect stand-in, which
builds a fresh environment from them (no workspace on any path). Chromium
then checks, under the content's ``/content/<guid>/`` prefix: the visitor
shown, the gate refusing a non-member on the page and on a callback, the
health route; and, deployed without ``CONNECTKIT_PLUGIN``, that neither
gate nor health route is attached.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from scripts.connect_local.launch import ConnectLocal, DeployedContent
from scripts.release import dist
from tests.stand_in.conftest import deploy, deployed_guid

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAIN_APP = Path(__file__).parent / "plain_app" / "app.py"
MEMBERS = "analysts"  # the stand-in's default visitor, alice, is in it; bob is not
PLUGIN_ON = ("-E", "CONNECTKIT_PLUGIN=true", "-E", f"CONNECTKIT_ALLOWED_GROUPS={MEMBERS}")
# A callback the page makes, sent by the browser itself: its status, for the gate.
POST_CALLBACK = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {
  method: "POST",
  headers: {"Content-Type": "application/json"},
  body: JSON.stringify({
    output: "my-output.children",
    outputs: {id: "my-output", property: "children"},
    inputs: [{id: "my-input", property: "value", value: "forged"}],
    changedPropIds: ["my-input.value"],
  }),
}).then(r => r.text().then(t => done([r.status, t])), e => done([0, String(e)]));
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dist.build(tmp_path_factory.mktemp("dist")).wheel


def plain_app_folder(parent: Path, wheel: Path) -> Path:
    """The app, the wheel beside it, and a requirements.txt naming it (as a team would)."""
    folder = parent / "plain-app"
    folder.mkdir()
    shutil.copy(PLAIN_APP, folder / "app.py")
    shutil.copy(wheel, folder / wheel.name)
    (folder / "requirements.txt").write_text(f"dash==4.4.1\n./{wheel.name}\n")
    return folder


def deployed(connect: ConnectLocal, folder: Path, title: str, *settings: str) -> DeployedContent:
    guid = deployed_guid(deploy(connect, folder, title, *settings))
    # any signed-in visitor passes Connect's own check: the app's gate decides
    connect.api("PATCH", f"v1/content/{guid}", {"access_type": "logged_in"})
    return DeployedContent.find(connect, guid)


def visit_as_bob(browser: Any, connect: ConnectLocal, next_path: str) -> None:
    """Sign in as bob (group sales) through the stand-in's login form, landing on ``next_path``."""
    from selenium.webdriver.common.by import By

    browser.get(f"{connect.url}/__login__?user=bob&groups=sales&next={next_path}")
    browser.find_element(By.NAME, "token").send_keys(connect.login_token)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def test_the_plain_app_gets_visitor_gate_health_and_prefix(
    connect: ConnectLocal, wheel: Path, tmp_path: Path, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    from scripts.browser.smoke import AppPage

    app = deployed(connect, plain_app_folder(tmp_path, wheel), "Plain app", *PLUGIN_ON)
    prefix = app.url.removeprefix(app.origin)
    assert prefix.startswith("/content/") and prefix.endswith("/")
    browser.delete_all_cookies()
    try:
        # a member: the page, its callback answered with the visitor, all under the prefix
        page = AppPage(browser, app, label="plain-app-member").open()  # type: ignore[arg-type]
        page.check()
        assert page.text("#my-output") == "Output: initial value, for alice"
        config = browser.find_element(By.ID, "_dash-config").get_attribute("textContent")
        assert f'"requests_pathname_prefix":"{prefix}"'.replace("/", "\\u002f") in config
        status, _ = browser.execute_async_script(POST_CALLBACK, f"{app.url}_dash-update-component")
        assert status == 200

        # a non-member: the page refused, and a callback sent from the browser refused too
        visit_as_bob(browser, connect, prefix)
        WebDriverWait(browser, 30).until(lambda b: "Access denied" in b.title)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "signed in as bob" in body and MEMBERS in body
        status, text = browser.execute_async_script(
            POST_CALLBACK, f"{app.url}_dash-update-component"
        )
        assert status == 403 and "Access denied" in text

        # the health route: open to everyone, under the prefix
        browser.get(f"{app.url}health")
        assert browser.find_element(By.TAG_NAME, "body").text == "OK"
        assert not app.tracebacks(), app.stderr_tail()
    finally:
        browser.get(f"{connect.url}/")
        browser.delete_all_cookies()


def test_without_the_setting_nothing_is_attached(
    connect: ConnectLocal, wheel: Path, tmp_path: Path, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    app = deployed(connect, plain_app_folder(tmp_path, wheel), "Plain app, plugin off")
    browser.delete_all_cookies()
    try:
        visit_as_bob(browser, connect, app.url.removeprefix(app.origin))
        output = (By.ID, "my-output")
        WebDriverWait(browser, 30).until(
            lambda b: b.find_element(*output).text.startswith("Output")
        )
        # no gate: bob is in. current_visitor() needs no plugin (the trust rule is
        # applied where it is called: on Connect, the header is believed)
        assert browser.find_element(*output).text == "Output: initial value, for bob"
        browser.get(f"{app.url}health")
        assert browser.find_element(By.TAG_NAME, "body").text != "OK"
    finally:
        browser.get(f"{connect.url}/")
        browser.delete_all_cookies()
