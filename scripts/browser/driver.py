"""Headless Chromium through selenium, recording what a person would not see:
console errors and failed requests."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

# Flags that keep Chromium quiet on a machine without internet: without the
# background-networking ones it keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1280,900",
)

# How long a page may take to do what a test waits for: a failure bound, not a
# speed target. Generous, so a busy machine makes a test slow, never red.
WAIT_S = 60.0

# Graphs load plotly.js lazily: until each has drawn its SVG, a failing graph
# (script error, 404) has not shown up in the logs yet.
GRAPHS_PENDING_JS = "return document.querySelectorAll('.dash-graph:not(:has(.main-svg))').length;"

# Dash is idle when the renderer's store exists, the loading placeholder is
# gone, no callback is requested, pending or running, and every graph is drawn.
DASH_IDLE_JS = """
const store = window.store;
if (!store || document.querySelector('#react-entry-point ._dash-loading')) { return false; }
const state = store.getState();
if (state.isLoading) { return false; }
const cbs = Object.assign({}, state.callbacks || {});
delete cbs.stored; delete cbs.completed;
if (!Object.values(cbs).every(list => !list || list.length === 0)) { return false; }
return document.querySelectorAll('.dash-graph:not(:has(.main-svg))').length === 0;
"""


def make_driver(*, headless: bool = True) -> webdriver.Chrome:
    """Chromium with console and network logs; ``headless=False`` shows its window
    (``make record MANUAL=1``: a person plays the visit)."""
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager go online
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        if headless or flag != "--headless=new":
            options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        raise RuntimeError(
            "chromedriver not found: run `make browser` (needs root) "
            "or `sudo apt-get install -y chromium chromium-driver`"
        )
    return webdriver.Chrome(options=options, service=Service(executable_path=driver_path))


@dataclass
class Request:
    url: str
    kind: str = ""
    status: int | None = None
    mime_type: str = ""
    failure: str = ""
    encoded_bytes: float = 0.0
    content_encoding: str = ""  # the response's Content-Encoding ("" when sent as is)
    finished: bool = False  # the body has arrived, or the request failed or was cancelled


@dataclass
class Journal:
    """What the browser did since the last drain: console entries and requests."""

    console: list[dict[str, Any]] = field(default_factory=list)
    requests: dict[str, Request] = field(default_factory=dict)

    def severe_console(self) -> list[str]:
        return [e["message"] for e in self.console if e.get("level") == "SEVERE"]

    def failed_requests(self) -> list[str]:
        problems = []
        for request in self.requests.values():
            if request.url.startswith("data:"):
                continue
            if request.failure:
                problems.append(f"{request.url}: {request.failure}")
            elif request.status is not None and request.status >= 400:
                problems.append(f"{request.url}: HTTP {request.status}")
            elif request.kind == "Script" and "html" in request.mime_type:
                problems.append(f"{request.url}: script answered with {request.mime_type}")
        return problems

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests to any host but the app's own (CDNs included)."""
        host = urlsplit(origin).netloc
        return [
            r.url
            for r in self.requests.values()
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host
        ]

    def bytes_on_wire(self) -> float:
        return sum(r.encoded_bytes for r in self.requests.values())


def drain(driver: webdriver.Chrome, journal: Journal | None = None) -> Journal:
    """Move the browser's buffered logs into a journal (new one by default)."""
    journal = journal or Journal()
    journal.console.extend(driver.get_log("browser"))
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method", ""), message.get("params", {})
        request_id = params.get("requestId")
        if method == "Network.requestWillBeSent":
            journal.requests[request_id] = Request(
                url=params["request"]["url"], kind=params.get("type", "")
            )
        elif request_id in journal.requests:
            request = journal.requests[request_id]
            if method == "Network.responseReceived":
                response = params["response"]
                request.status = int(response.get("status", 0))
                request.mime_type = response.get("mimeType", "")
                request.kind = params.get("type", request.kind)
                headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
                request.content_encoding = headers.get("content-encoding", "")
            elif method == "Network.loadingFailed":
                request.finished = True
                if not params.get("canceled"):
                    request.failure = params.get("errorText", "failed")
            elif method == "Network.loadingFinished":
                request.finished = True
                request.encoded_bytes = params.get("encodedDataLength", 0.0)
    return journal


def wait_for_dash(driver: webdriver.Chrome, timeout: float = WAIT_S) -> None:
    """Wait until the Dash renderer has drawn the layout and callbacks are idle."""
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(DASH_IDLE_JS)
    )
