"""``make record APP=name``: record a visit in Chromium into ``apps/<name>/loadtest/session.json``.

The app is served by the runner as ``make run`` does (as its smoke visitor,
or ``--user``/``--groups``), opened in headless Chromium, and every request
the page sent to the app, while it opens and plays the app's declared steps
(``[tool.monorepo.loadtest] steps``, see scripts/browser/actions.py), is read
back from Chromium's performance log (CDP
``Network.*`` events, which the browser driver already collects for the smoke
check): method, path, callback body, status, the answer's shape, and the time
since the previous request (think time). With ``--manual`` the browser is
visible and a person plays the visit until they press Enter.

Why the performance log and not a recording proxy: it sees exactly what the
renderer sent, with no extra process between browser and app, and bodies are
fetched from the browser itself (``Network.getResponseBody``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException

from scripts.browser.actions import play
from scripts.browser.driver import make_driver, wait_for_dash
from scripts.catalog import (
    AppInfo,
    SmokeVisitor,
    UnknownAppError,
    find_app,
    smoke_env,
    smoke_visitor,
)
from scripts.loadtest.session import Session, Step, answer_shape, session_path, unplaced
from scripts.runner.serve import serve


@dataclass
class _Seen:
    """One request as the performance log tells it."""

    request_id: str
    method: str
    url: str
    started: float  # CDP's monotonic timestamp, seconds
    post_data: str | None = None
    status: int | None = None
    finished: float | None = None  # when its answer had fully arrived


def _network_events(driver: webdriver.Chrome) -> list[_Seen]:
    seen: dict[str, _Seen] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method", ""), message.get("params", {})
        request_id = params.get("requestId", "")
        if method == "Network.requestWillBeSent" and request_id not in seen:
            request = params["request"]
            seen[request_id] = _Seen(
                request_id,
                request["method"],
                request["url"],
                float(params["timestamp"]),
                request.get("postData"),
            )
        elif method == "Network.responseReceived" and request_id in seen:
            seen[request_id].status = int(params["response"].get("status", 0))
        elif method in ("Network.loadingFinished", "Network.loadingFailed") and request_id in seen:
            seen[request_id].finished = float(params["timestamp"])
    return sorted(seen.values(), key=lambda s: s.started)


def _json_body(driver: webdriver.Chrome, request_id: str) -> Any:
    """The answer's body from the browser's buffer, as JSON (None when it is not)."""
    try:
        answer = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        return json.loads(answer["body"])
    except (WebDriverException, ValueError, KeyError):
        return None


def _post_data(driver: webdriver.Chrome, seen: _Seen) -> Any:
    text = seen.post_data
    if text is None:  # large bodies are left out of the event: ask for them
        answer = driver.execute_cdp_cmd(
            "Network.getRequestPostData", {"requestId": seen.request_id}
        )
        text = answer.get("postData", "")
    return json.loads(text) if text else None


def steps_from_log(driver: webdriver.Chrome, app_url: str) -> list[Step]:
    """The app's requests since the page opened, in order, as replayable steps."""
    base = urlsplit(app_url)
    steps: list[Step] = []
    answered: float | None = None  # when the latest earlier answer arrived
    for seen in _network_events(driver):
        url = urlsplit(seen.url)
        if url.netloc != base.netloc or not url.path.startswith(base.path):
            continue  # data: URLs, another host: not the app's load
        if seen.status is None:
            continue  # never answered (cancelled): nothing to replay against
        path = url.path[len(base.path) :] + (f"?{url.query}" if url.query else "")
        # Think time: the browser's idle time before this request, not the server's
        # time on the earlier ones (the replay spends that itself, one at a time).
        think = 0.0 if answered is None else max(0.0, seen.started - answered)
        answered = max(answered or 0.0, seen.finished or seen.started)
        body = _post_data(driver, seen) if seen.method == "POST" else None
        if body is not None:
            body = unplaced(body, f"{base.scheme}://{base.netloc}", base.path)
        shape = answer_shape(url.path[len(base.path) :], _json_body(driver, seen.request_id))
        steps.append(Step(seen.method, path, seen.status, round(think, 3), body, shape))
    return steps


def identity_leaks(session: Session, visitor: SmokeVisitor) -> list[str]:
    """Steps whose recorded text names the visitor: a recording must carry no identity."""
    if not visitor.user:
        return []
    return [
        step.name
        for step in session.steps
        if visitor.user in json.dumps([step.path, step.body, step.shape])
    ]


def declared_steps(app: AppInfo) -> list[dict[str, Any]]:
    """``[tool.monorepo.loadtest] steps``: what the visit does after the page opens."""
    table = app.settings().get("loadtest", {})
    steps = table.get("steps", []) if isinstance(table, dict) else []
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise RecordingError(
            f"{app.path / 'pyproject.toml'} [tool.monorepo.loadtest] steps = {steps!r}; "
            'expected a list of tables, e.g. [{ pick = "channel", option = "Partner" }]'
        )
    return steps


def record(
    app: AppInfo,
    visitor: SmokeVisitor,
    *,
    manual: bool = False,
    steps: list[dict[str, Any]] | None = None,
    env: dict[str, str] | None = None,
) -> Session:
    """Serve ``app``, play its visit (``steps``: default its declared ones) and return it."""
    played = declared_steps(app) if steps is None else steps
    with tempfile.TemporaryDirectory(prefix=f"record-{app.name}-") as tmp:
        env = {**smoke_env(app, Path(tmp)), **(env or {})}
        with serve(app.path, user=visitor.user, groups=visitor.groups, env=env) as served:
            driver = make_driver(headless=not manual)
            try:
                driver.get_log("performance")  # forget the blank tab's start
                driver.get(served.url)
                wait_for_dash(driver)
                play(driver, played)
                if manual:
                    input(f"Play the visit in the browser at {served.url}, then press Enter: ")
                    wait_for_dash(driver)
                recorded = steps_from_log(driver, served.url)
            finally:
                driver.quit()
            problems = served.tracebacks()
            if problems:
                raise RecordingError(
                    f"{app.name} printed a traceback while recorded:\n{problems[0]}"
                )
    session = Session(app.name, recorded)
    broken = [f"{s.name}: HTTP {s.status}" for s in recorded if s.status >= 400]
    if broken:
        raise RecordingError(f"{app.name}: the recorded visit had failed requests: {broken}")
    leaks = identity_leaks(session, visitor)
    if leaks:
        raise RecordingError(
            f"{app.name}: the recording names the visitor {visitor.user!r} in {leaks}; "
            "record as another user (USER=) whose name the app does not echo into requests"
        )
    return session


class RecordingError(RuntimeError):
    """The visit could not be recorded cleanly; nothing was written."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("app")
    parser.add_argument("--user", default=None, help="visit as (default: the smoke visitor)")
    parser.add_argument("--groups", default=None, help="comma-separated (with --user)")
    parser.add_argument("--manual", action="store_true", help="a visible browser, you play")
    parser.add_argument("--output", type=Path, help="default apps/<app>/loadtest/session.json")
    args = parser.parse_args(argv)
    try:
        app = find_app(args.app)
    except UnknownAppError as error:
        print(f"error: APP={args.app}: {error}", file=sys.stderr)
        return 2
    visitor = smoke_visitor(app)
    if args.user is not None:
        groups = tuple(g for g in (args.groups or "").split(",") if g)
        visitor = SmokeVisitor(args.user, groups)
    try:
        session = record(app, visitor, manual=args.manual)
    except RecordingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    target = args.output or session_path(app)
    session.save(target)
    callbacks = sum(1 for s in session.steps if s.kind == "callback")
    print(f"{app.name}: {len(session.steps)} requests ({callbacks} callbacks) -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
