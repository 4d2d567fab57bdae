"""The smoke check: open an app page and prove that nothing went wrong.

Fails on a SEVERE console entry, a failed request (status >= 400, a network
error, a script answered with HTML), a request to another host (CDN), a
traceback in the app's stderr, a Dash error overlay or load error, or a
missing page title. Failures carry the URL, the app's last stderr lines and
the screenshot path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By

from scripts.browser.driver import WAIT_S, Journal, drain, wait_for_dash
from scripts.catalog import REPO_ROOT
from scripts.runner.serve import ServedApp

SCREENSHOT_DIR = REPO_ROOT / "build" / "screenshots"
ERROR_SELECTORS = (".dash-fe-error__title", ".dash-debug-alert", ".dash-error-card")
LOAD_ERRORS = ("Error loading layout", "Error loading dependencies")


class SmokeFailure(AssertionError):
    """An app page showed a problem; the message carries the evidence."""


@dataclass
class AppPage:
    """One browser tab's view of a served app, checked after each step."""

    driver: webdriver.Chrome
    served: ServedApp
    label: str
    journal: Journal = field(default_factory=Journal)

    @property
    def screenshot_path(self) -> Path:
        return SCREENSHOT_DIR / f"{self.label}.png"

    def open(self, path: str = "") -> AppPage:
        """Load ``path`` under the app's prefix and wait until Dash is idle."""
        drain(self.driver)  # forget what earlier pages logged
        self.journal = Journal()
        self.url = self.served.url + path.lstrip("/")
        self.driver.get(self.url)
        self.settle()
        return self

    def settle(self) -> None:
        try:
            wait_for_dash(self.driver)
        except TimeoutException:
            self.fail([f"Dash did not finish rendering within {WAIT_S:.0f} s"])

    def check(self) -> Journal:
        """Raise SmokeFailure listing every problem seen since the page opened."""
        self.settle()
        drain(self.driver, self.journal)
        problems = [f"console: {m}" for m in self.journal.severe_console()]
        problems += [f"request failed: {p}" for p in self.journal.failed_requests()]
        problems += [
            f"request to another host (no CDN allowed): {u}"
            for u in self.journal.foreign_requests(self.served.origin)
        ]
        problems += [f"server traceback:\n{t}" for t in self.served.tracebacks()]
        for selector in ERROR_SELECTORS:
            if self.driver.find_elements(By.CSS_SELECTOR, selector):
                problems.append(f"Dash error element on the page: {selector}")
        body = self.driver.find_element(By.TAG_NAME, "body").text
        problems += [f"page says {text!r}" for text in LOAD_ERRORS if text in body]
        if not self.driver.title.strip():
            problems.append("the page has no title")
        if problems:
            self.fail(problems)
        self.save_screenshot()
        return self.journal

    def save_screenshot(self) -> Path:
        self.screenshot_path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.screenshot_path))
        return self.screenshot_path

    def fail(self, problems: list[str]) -> None:
        shot = self.save_screenshot()
        raise SmokeFailure(
            f"{self.served.name} at {getattr(self, 'url', self.served.url)}:\n  - "
            + "\n  - ".join(problems)
            + f"\nscreenshot: {shot}\nlast stderr lines of the app:\n{self.served.stderr_tail()}"
        )

    def text(self, selector: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, selector).text)
