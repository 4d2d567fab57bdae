"""Time to first data, clocked in the page: when the first chart has drawn its data.

A script registered for every new document (``Page.addScriptToEvaluateOnNewDocument``)
watches the DOM and notes the moment a ``dcc.Graph`` first holds a drawn
data point (a plotly ``.trace .point``: a marker or a bar), as wall-clock
epoch milliseconds and as milliseconds since the navigation started. It
also notes the first status message a page shows (an element with
``role="status"``, e.g. "Building the demo data ..."): what a visitor reads
while waiting. Clocked in the page, the figures carry no polling delay.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass

from selenium.webdriver import Chrome

from scripts.browser.driver import drain
from scripts.perf.bench import page_load

TIMEOUT_S = 120.0
POLL_S = 0.05  # between reads of the page's note, not part of the figure
CLOCK_JS = r"""
(() => {
  const now = () => ({
    epoch_ms: performance.timeOrigin + performance.now(), since_nav_ms: performance.now(),
  });
  const look = () => {
    if (!window.__benchStatus) {
      const status = document.querySelector('[role="status"]');
      if (status && status.textContent.trim()) {
        window.__benchStatus = Object.assign(now(), {text: status.textContent.trim()});
      }
    }
    if (!window.__benchFirstData && document.querySelector('.dash-graph .main-svg .trace .point')) {
      window.__benchFirstData = now();
    }
    return Boolean(window.__benchFirstData);
  };
  const watch = () => {
    if (look()) return;
    const observer = new MutationObserver(() => { if (look()) observer.disconnect(); });
    observer.observe(document.documentElement, {childList: true, subtree: true});
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
})();
"""
READ_JS = "return [window.__benchFirstData || null, window.__benchStatus || null];"


class NoDataDrawn(RuntimeError):
    """The page drew no chart data in time."""


@dataclass(frozen=True)
class FirstData:
    epoch_ms: float  # wall clock when the first data point was drawn
    since_nav_ms: float  # the same moment, counted from the navigation's start
    status: str = ""  # the first status message the page showed, if any
    status_since_nav_ms: float | None = None

    def since(self, epoch_s: float) -> float:
        """Milliseconds from ``epoch_s`` (e.g. when the server was spawned) to the data."""
        return self.epoch_ms - epoch_s * 1000


def browser(stack: ExitStack) -> Chrome:
    """Headless Chromium on an empty cache at every load (a first visit), with the clock."""
    driver = page_load.browser(stack, cache=False)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CLOCK_JS})
    return driver


def first_data(driver: Chrome, url: str, timeout: float = TIMEOUT_S) -> FirstData:
    """Open ``url`` and wait for its first chart data; failed requests are an error."""
    driver.get("about:blank")  # a new document even when ``url`` is the page shown
    drain(driver)
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data, status = driver.execute_script(READ_JS)
        if data:
            if problems := drain(driver).failed_requests():
                raise NoDataDrawn(f"{url}: failed requests: {problems}")
            return FirstData(
                data["epoch_ms"],
                data["since_nav_ms"],
                status["text"] if status else "",
                status["since_nav_ms"] if status else None,
            )
        time.sleep(POLL_S)
    raise NoDataDrawn(f"{url}: no chart drew data within {timeout:.0f} s")
