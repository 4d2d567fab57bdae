"""A Dash background callback driven over HTTP, as the renderer drives it.

The renderer loads the page (which carries a signed ``end_id`` for this page
load), POSTs the callback once (the answer is a signed ``cacheKey`` and
``job``), then POSTs again every ``interval`` with those handles until the
answer holds the outputs (``response``) or 204 (nothing to update: the job
ended without a result). Cancelling is a POST of the cancel input's callback
with ``cancelJob``. The tests use this to forge requests a browser would
not send; the bench, to count what polling costs an open page.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from scripts.perf.dash_requests import UPDATE_PATH, Prop, callback_body

CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)
TIMEOUT_S = 30.0


class JobProtocolError(RuntimeError):
    """The server answered something the renderer would not understand."""


@dataclass
class Exchange:
    """One request's cost: bytes each way and the HTTP status."""

    sent: int
    received: int
    status: int


@dataclass
class JobRun:
    """What one job took: its outputs (None: ended without), progress seen, every exchange."""

    response: dict[str, Any] | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    seconds: float = 0.0


class PageSession:
    """One page load of an app: its end_id, and the callbacks it fires."""

    def __init__(self, url: str) -> None:
        self.url = url  # the app's index URL, ending with its prefix
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            page = answer.read().decode()
        match = CONFIG.search(page)
        if match is None:
            raise JobProtocolError(f"{url} has no _dash-config: not a Dash page?")
        self.end_id = str(json.loads(match.group(1))["end_id"])

    def post(self, body: dict[str, Any], **args: str) -> tuple[Exchange, dict[str, Any] | None]:
        exchange, raw = self.send(json.dumps(body).encode(), **args)
        if exchange.status == 204:
            return exchange, None
        if exchange.status != 200:
            raise JobProtocolError(f"HTTP {exchange.status} from {UPDATE_PATH}: {raw[:300]!r}")
        return exchange, json.loads(raw)

    def send(self, data: bytes, **args: str) -> tuple[Exchange, bytes]:
        """POST ``data`` (any bytes: a test sends malformed ones) as this page load; any status."""
        query = urllib.parse.urlencode({"endId": self.end_id, **args})
        request = urllib.request.Request(
            f"{self.url}{UPDATE_PATH}?{query}",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                raw = answer.read()
                status = answer.status
        except urllib.error.HTTPError as error:
            with error:
                raw, status = error.read(), error.code
        return Exchange(sent=len(data) + len(query), received=len(raw), status=status), raw

    def start(self, body: dict[str, Any]) -> tuple[Exchange, dict[str, str]]:
        exchange, answer = self.post(body)
        if not answer or "job" not in answer or "cacheKey" not in answer:
            raise JobProtocolError(f"no job handles in the answer: {answer!r}")
        return exchange, {"cacheKey": answer["cacheKey"], "job": answer["job"]}

    def poll(self, body: dict[str, Any], handles: dict[str, str]) -> tuple[Exchange, Any]:
        # As the renderer: the same body with its values blanked, plus the handles.
        blank = {
            **body,
            "inputs": [{**i, "value": None} for i in body["inputs"]],
            "state": [{**s, "value": None} for s in body.get("state", [])],
        }
        return self.post(blank, **handles)

    def cancel(self, cancel_input: Prop, handles: dict[str, str]) -> Exchange:
        body = callback_body([(cancel_input[0], "id")], [(*cancel_input, 1)])
        exchange, _ = self.post(body, cancelJob=handles["job"])
        return exchange

    def run(self, body: dict[str, Any], interval_s: float, timeout_s: float = 600.0) -> JobRun:
        """Start the job and poll it to its end, as an open page does."""
        started = time.perf_counter()
        run = JobRun()
        exchange, handles = self.start(body)
        run.exchanges.append(exchange)
        while time.perf_counter() - started < timeout_s:
            time.sleep(interval_s)
            exchange, answer = self.poll(body, handles)
            run.exchanges.append(exchange)
            if answer is None:  # 204: ended without a result
                break
            if "progress" in answer:
                run.progress.append(answer["progress"])
            if "response" in answer:
                run.response = answer["response"]
                break
        else:
            raise JobProtocolError(f"no end within {timeout_s:.0f} s")
        run.seconds = time.perf_counter() - started
        return run


def state(cid: str, prop: str, value: Any) -> dict[str, Any]:
    return {"id": cid, "property": prop, "value": value}
