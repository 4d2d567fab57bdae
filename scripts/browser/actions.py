"""What a visitor does on a page, by name: the steps a recording plays.

An app declares them in ``[tool.monorepo.loadtest] steps`` (``make record``
plays them): ``{ pick = "<dropdown id>", option = "<label>" }`` opens a Dash
dropdown and clicks one option (then the page's ``h1``, to close it);
``{ click = "<css selector>" }`` clicks an element. After each, the page is
left to settle (Dash idle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.driver import wait_for_dash

ACTIONS = ("pick", "click")


class BadStep(ValueError):
    """A declared step names no known action; the message lists them."""


def pick(driver: webdriver.Chrome, dropdown_id: str, option: str) -> None:
    """Open a Dash 4 dropdown and click one option by its label."""
    driver.find_element(By.ID, dropdown_id).click()
    choice = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(
            By.XPATH,
            f"//*[contains(@class,'dash-dropdown-content')]//*[normalize-space(text())='{option}']",
        )
    )
    choice.click()
    driver.find_element(By.TAG_NAME, "h1").click()  # close the popover (the page title)


def play(driver: webdriver.Chrome, steps: Sequence[Mapping[str, Any]]) -> None:
    """Play declared steps in order, waiting for Dash to settle after each."""
    for step in steps:
        if "pick" in step:
            pick(driver, str(step["pick"]), str(step.get("option", "")))
        elif "click" in step:
            driver.find_element(By.CSS_SELECTOR, str(step["click"])).click()
        else:
            raise BadStep(f"step {dict(step)!r} names none of {ACTIONS}")
        wait_for_dash(driver)
