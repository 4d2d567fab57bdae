"""usage in the browser: the button counts clicks (scaffolded by ``make new-app``)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.smoke import AppPage
from tests.support.apps import import_app

APP = "usage"


@pytest.mark.browser
def test_clicking_the_button_counts(browser: Any, served_app: Any) -> None:
    with served_app(APP) as served:
        page = AppPage(browser, served, label=f"{APP}-clicks").open()
        assert page.text("#clicks") == "Clicked 0 times."
        browser.find_element(By.ID, "clicker").click()
        WebDriverWait(browser, 10).until(lambda d: page.text("#clicks") == "Clicked 1 time.")
        page.check()


def test_clicks_message(monkeypatch: pytest.MonkeyPatch) -> None:
    module = import_app(APP, monkeypatch)
    assert module.clicks_message(None) == "Clicked 0 times."
    assert module.clicks_message(1) == "Clicked 1 time."
    assert module.clicks_message(3) == "Clicked 3 times."
