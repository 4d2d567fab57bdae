"""My content against a Connect API that accepts connections and never answers.

The page must say so in one sentence, the same wording whichever call hung,
within 5 s: the app's timeout (``connectkit.oauth.OAuthSettings.timeout_s``)
bounds the first call, and the hung server is remembered
(``connectkit.connect_api.UNANSWERED``), so the page's other calls fail at
once instead of each waiting its own timeout. The 5 s is the browser wait's
deadline, from the index loaded to the sentence shown.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from connectkit.connect_api import UNANSWERED, origin_of
from connectkit.credentials import credentials_header
from connectkit.oauth import ENVIRON_KEY as SESSION_TOKEN_ENVIRON_KEY
from connectkit.oauth import NO_ANSWER
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from scripts.runner.frontend import ConnectLikeFrontend, Environ, StartResponse, WSGIApp
from tests.support.apps import import_app

SENTENCE_DEADLINE_S = 5.0  # the bound: the sentence is on the page by then
SESSION_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"  # JWT-shaped


@contextmanager
def never_answering() -> Iterator[str]:
    """A server that accepts connections (the kernel completes them) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def with_session_token(app: WSGIApp) -> WSGIApp:
    """Connect's proxy adds the visitor's session token; the runner's frontend strips it."""

    def call(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ[SESSION_TOKEN_ENVIRON_KEY] = SESSION_TOKEN
        return app(environ, start_response)

    return call


@contextmanager
def serving(app: WSGIApp) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.browser
def test_a_connect_that_never_answers_gets_one_sentence_within_5_s(
    browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with never_answering() as connect_url:
        monkeypatch.setenv("CONNECT_SERVER", connect_url)
        monkeypatch.setenv("CONNECT_API_KEY", "the-contents-own-key")
        monkeypatch.setenv(TRUSTED_FRONTEND_ENV, LOCAL_RUNNER)
        module = import_app("my-content", monkeypatch)
        visitor = credentials_header("alice", ["analysts"])
        front = ConnectLikeFrontend(with_session_token(module.app.server), "/", visitor)
        with serving(front) as url:
            browser.get(url)  # returns once the index has loaded; the layout asks Connect
            WebDriverWait(browser, SENTENCE_DEADLINE_S).until(
                expected_conditions.text_to_be_present_in_element(
                    (By.ID, "problem"), NO_ANSWER[:1].upper() + NO_ANSWER[1:] + "."
                )
            )
            assert "Reload the page in a moment." in browser.find_element(By.ID, "what-to-do").text
            assert UNANSWERED.skipped(origin_of(connect_url))  # remembered for the next load
            browser.get(url)  # the next load asks nobody: the sentence at once
            WebDriverWait(browser, SENTENCE_DEADLINE_S).until(
                expected_conditions.presence_of_element_located((By.ID, "problem"))
            )
