"""Load a page and wait until it is really done: Dash idle, graphs drawn, network quiet.

Dash reports idle as soon as its callbacks are answered, while a ``dcc.Graph``
may still be downloading plotly.js (the largest file of any app that draws a
graph). A first-load figure taken then misses most of its bytes, so the page
counts as ready only when Dash is idle, every graph has drawn its SVG and no
request is still in flight.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from selenium.webdriver import Chrome

from scripts.browser.driver import GRAPHS_PENDING_JS, Journal, drain, make_driver, wait_for_dash

READY_TIMEOUT_S = 60.0
POLL_S = 0.1  # between readiness checks, not a fixed wait


class PageNotReady(RuntimeError):
    """The page did not settle within the timeout."""


def in_flight(journal: Journal) -> list[str]:
    """URLs requested but not finished (data: and blob: URLs never reach the network)."""
    return [
        r.url
        for r in journal.requests.values()
        if not r.finished and not r.url.startswith(("data:", "blob:"))
    ]


def load(driver: Chrome, url: str, timeout: float = READY_TIMEOUT_S) -> Journal:
    """Open ``url`` and return the journal of everything it took to get ready."""
    drain(driver)  # forget what earlier pages logged
    journal = Journal()
    deadline = time.monotonic() + timeout
    driver.get(url)
    while True:
        wait_for_dash(driver, timeout=max(1.0, deadline - time.monotonic()))
        drain(driver, journal)
        pending = in_flight(journal)
        graphs = int(driver.execute_script(GRAPHS_PENDING_JS))
        if not pending and not graphs:
            return journal
        if time.monotonic() > deadline:
            raise PageNotReady(
                f"{url} not ready after {timeout:.0f} s: {graphs} graph(s) not drawn, "
                f"in flight: {pending[:5]}"
            )
        time.sleep(POLL_S)


def browser(stack: ExitStack, *, cache: bool) -> Chrome:
    """Headless Chromium reporting network events, quit when ``stack`` closes.

    ``cache=False`` makes every load a first visit; with the cache on, a
    load of a page seen before is a repeat visit.
    """
    driver = make_driver()
    stack.callback(driver.quit)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": not cache})
    return driver
