"""Multi-page, in the browser, under a random /content/<GUID>/ prefix and at /.

Deep links load each page fresh (and survive a reload); the navbar reaches
every page and marks the current one; back and forward restore pages and
URLs; the path variable, the query string and the 404 page show what they
should; a Connect vanity URL lands on the content URL; and no page logs a
console error or a failed request.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.driver import WAIT_S, Journal, drain
from scripts.browser.smoke import AppPage
from scripts.catalog import find_app
from scripts.runner.serve import random_prefix
from tests.support.bootstrap_look import BOOTSTRAP_INPUT, mismatches

VANITY = "/multi-page-dash/"
# Served under a Connect-like prefix (with a vanity path, as Connect can add
# one) and at the root; one server per case keeps the suite short.
SERVED_AT = pytest.mark.parametrize(
    ("prefix", "vanity"),
    [(random_prefix(), VANITY), ("/", None)],
    ids=["content-guid-prefix", "root-prefix"],
)


@dataclass(frozen=True)
class Shown:
    """What a page shows: its heading, the navbar link marked current, its breadcrumb."""

    heading: str
    current_nav: str | None
    where: str
    title: str


# Paths as typed after the prefix in the address bar, and what each must show.
PAGES = {
    # The index has no navbar link of its own: the brand (the app's name) is it.
    "": Shown("Multi-page app", None, "Home", "Multi-page"),
    "page-2": Shown("Page 2", "Page 2", "Home / page-2", "Page 2 · Multi-page"),
    "page-3": Shown("Page 3", "Page 3", "Home / page-3", "Page 3 · Multi-page"),
    "reports/2026-q3": Shown(
        "Report 2026-q3", "Reports", "Home / reports / 2026-q3", "Report 2026-q3 · Multi-page"
    ),
    "reports/q3%20sales": Shown(
        "Report q3 sales", "Reports", "Home / reports / q3 sales", "Report q3 sales · Multi-page"
    ),
    "search": Shown("Search", "Search", "Home / search", "Search · Multi-page"),
    "search?q=PAGE&other=1": Shown("Search", "Search", "Home / search", "Search · Multi-page"),
    "no-such/page": Shown(
        "There is no page here", None, "Home / no-such / page", "Page not found · Multi-page"
    ),
}

# The navbar's own targets: reached by clicking, not typed.
NAV_ONLY = {"reports/2026-q3", "search"}

# What the site map, the path variable, the query string and the 404 page put
# on the page ({prefix}: the prefix the app is served under).
DETAILS = {
    "page-3": {"#site-map tbody tr:nth-child(2) td:nth-child(2)": "{prefix}page-2"},
    "reports/q3%20sales": {"#report-id": "q3 sales"},
    "search?q=PAGE&other=1": {"#search-query": "PAGE", "#search-results": "Page 2\nPage 3"},
    "no-such/page": {"#not-found": "There is no page here", ".not-found-code": "404"},
}

# Clicking these in turn, from the index: where each one lands (navbar links by
# their text, the brand and breadcrumb links by CSS selector).
NAV_CLICKS = [
    ("Page 2", "page-2"),
    ("Page 3", "page-3"),
    ("Reports", "reports/2026-q3"),
    ("#where-am-i a", ""),  # the breadcrumb's Home
    ("Search", "search"),
    ("#app-name", ""),  # the brand
]


# Read in one script, so a re-render between reads cannot leave a stale element.
SHOWN_JS = """
const text = (el) => (el ? el.innerText.trim() : "");
const active = [...document.querySelectorAll(".navbar .nav-link.active")].map(text);
return [text(document.querySelector("#_pages_content h1")), active.join(", "),
        [...document.querySelectorAll("#where-am-i li")].map(text).join(" / "), document.title];
"""


def shown_on(page: AppPage) -> Shown:
    heading, current_nav, where, title = page.driver.execute_script(SHOWN_JS)
    return Shown(heading, current_nav or None, where, title)


def expect(page: AppPage, path: str) -> None:
    """Wait until the browser is at ``path`` and shows that page; fail with what it shows."""
    url, wanted = page.served.url + path, PAGES[path]
    try:
        WebDriverWait(page.driver, WAIT_S, poll_frequency=0.05).until(
            lambda d: d.current_url == url and shown_on(page) == wanted
        )
    except TimeoutException:
        page.fail(
            [f"expected {wanted} at {url}; got {shown_on(page)} at {page.driver.current_url}"]
        )
    page.settle()


@pytest.mark.browser
@SERVED_AT
def test_pages_in_the_browser(
    prefix: str, vanity: str | None, browser: Any, served_app: Any
) -> None:
    with served_app("multi-page", prefix=prefix, vanity=vanity) as served:
        assert served.url.endswith(prefix)
        page = AppPage(browser, served, label=f"multi-page-{'root' if prefix == '/' else 'guid'}")

        # A fresh load of each page's URL, then a reload, renders that page.
        for path in [p for p in PAGES if p not in NAV_ONLY]:
            page.open(path)
            expect(page, path)
            browser.refresh()
            expect(page, path)
            details = {k: v.format(prefix=prefix) for k, v in DETAILS.get(path, {}).items()}
            assert {selector: page.text(selector) for selector in details} == details
            page.check()
            if path == "search":  # a Dash 4 text input as wide-set as Bootstrap's
                wrapper = "#search-form .dash-input-container"
                assert mismatches(browser, wrapper, BOOTSTRAP_INPUT, "input") == {}

        # One navbar link goes to the index, the brand; breadcrumb links carry the prefix.
        page.open("")
        expect(page, "")
        navbar_hrefs = [
            a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".navbar a")
        ]
        assert navbar_hrefs.count(served.url) == 1, navbar_hrefs
        page.open("page-2")
        expect(page, "page-2")
        crumb = browser.find_element(By.CSS_SELECTOR, "#where-am-i a")
        assert crumb.get_attribute("href") == served.url

        # The navbar reaches every page; back and forward walk the same URLs.
        page.open("")
        visited = [""]
        browser.execute_script("window.sameDocument = true")  # gone after a full page load
        for target, path in NAV_CLICKS:
            by = By.CSS_SELECTOR if target.startswith("#") else By.LINK_TEXT
            browser.find_element(by, target).click()
            expect(page, path)
            visited.append(path)
        for path in reversed(visited[:-1]):
            browser.back()
            expect(page, path)
        for path in visited[1:]:
            browser.forward()
            expect(page, path)
        assert browser.execute_script("return window.sameDocument === true"), "a link reloaded"
        page.check()

        if vanity:
            vanity_url_lands_on_the_content_url(page, vanity)


def vanity_url_lands_on_the_content_url(page: AppPage, vanity: str) -> None:
    """At a vanity URL Dash Pages cannot route; the app moves the browser to its content URL."""
    browser, served = page.driver, page.served
    drain(browser)  # what the check reports starts with the vanity load
    page.journal = Journal()
    browser.get(served.origin + vanity + "?from=vanity")
    expected = served.url + "?from=vanity"
    try:
        WebDriverWait(browser, WAIT_S, poll_frequency=0.05).until(
            lambda d: d.current_url == expected
        )
    except TimeoutException:
        page.fail([f"expected a redirect to {expected}; the browser is at {browser.current_url}"])
    page.settle()
    assert shown_on(page) == PAGES[""]
    page.check()  # and the vanity load left no console error, failed request or traceback


def load_breadcrumb() -> Any:
    path = find_app("multi-page").path / "pages" / "_breadcrumb.py"
    spec = importlib.util.spec_from_file_location("multi_page_breadcrumb", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("stripped", "expected"),
    [
        ("", [("Home", None)]),
        ("page-2", [("Home", ""), ("page-2", None)]),
        ("reports/q3%20sales", [("Home", ""), ("reports", None), ("q3 sales", None)]),
        ("docs/guide/intro", [("Home", ""), ("docs", "docs"), ("guide", None), ("intro", None)]),
        (None, [("Outside this app's URL prefix", None)]),
    ],
    ids=["index", "page", "path-variable", "linkable-parent", "outside-prefix"],
)
def test_breadcrumb_links_only_registered_pages(
    stripped: str | None, expected: list[tuple[str, str | None]]
) -> None:
    paths = ["/", "/page-2", "/reports/2026-q3", "/docs", "/404"]
    assert load_breadcrumb().crumbs(stripped, paths) == expected
