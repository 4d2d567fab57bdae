"""Hello, in the browser: typing a name updates the greeting."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.driver import WAIT_S
from scripts.browser.smoke import AppPage


@pytest.mark.browser
def test_typing_a_name_greets_it(browser: Any, served_app: Any) -> None:
    with served_app("hello", user="ada", groups=["analysts"]) as served:
        page = AppPage(browser, served, label="hello-greets").open()
        assert page.text("#visitor-name") == "ada"
        assert page.text("#greeting") == "Hello! Type your name above."
        browser.find_element(By.ID, "name").send_keys("Grace")
        WebDriverWait(browser, WAIT_S).until(lambda d: page.text("#greeting") == "Hello, Grace!")
        page.check()


def test_greeting_for_blank_and_named() -> None:
    import importlib.util

    from scripts.catalog import find_app

    spec = importlib.util.spec_from_file_location("hello_app", find_app("hello").module_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.greeting_for("  ") == "Hello! Type your name above."
    assert module.greeting_for(" Ada ") == "Hello, Ada!"
