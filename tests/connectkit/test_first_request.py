"""A fresh worker's first page and a script asked for meanwhile: the script
waits for Dash's first-request setup instead of failing with a 500.

Dash marks its setup done before it registers the component scripts; a
threaded server (gunicorn's gthread, as on Connect and under ``make run``)
lets a second request in between. This is the browser failure a busy machine
showed: "dash" is not a registered library, and a page that never drew.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from types import FrameType
from typing import Any

import pytest
from connectkit import create_app
from dash import Dash, html

DEADLINE_S = 60.0  # a failure bound, not a speed target
SCRIPT = re.compile(r'src="(/_dash-component-suites/dash/[^"]+)"')


def fresh_app() -> Dash:
    return create_app("first_request_test", title="First", layout=html.P("x"), environ={})


def a_script_path() -> str:
    """One of the component scripts the index asks for (from an app set up already)."""
    index = fresh_app().server.test_client().get("/").get_data(as_text=True)
    match = SCRIPT.search(index)
    assert match, index
    return match.group(1)


def waits_in_setup(thread: threading.Thread) -> bool:
    frame: FrameType | None = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "setup_server_once":
            return True
        frame = frame.f_back
    return False


def test_a_script_asked_for_during_the_first_setup_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = a_script_path()
    app = fresh_app()
    inside, release = threading.Event(), threading.Event()
    generate = app._generate_scripts_html

    def held_generate() -> Any:  # the first request, held inside Dash's setup
        inside.set()
        release.wait(DEADLINE_S)
        return generate()

    monkeypatch.setattr(app, "_generate_scripts_html", held_generate)
    status: dict[str, int] = {}

    def get(name: str, path: str) -> None:
        status[name] = app.server.test_client().get(path).status_code

    first = threading.Thread(target=get, args=("page", "/"))
    first.start()
    assert inside.wait(DEADLINE_S), "the first request never reached Dash's setup"
    second = threading.Thread(target=get, args=("script", script))
    second.start()
    deadline = time.monotonic() + DEADLINE_S
    while second.is_alive() and not waits_in_setup(second):
        assert time.monotonic() < deadline, "the second request neither ended nor waited"
        time.sleep(0.01)  # polling interval
    release.set()
    for thread in (first, second):
        thread.join(DEADLINE_S)
    assert status == {"page": 200, "script": 200}
