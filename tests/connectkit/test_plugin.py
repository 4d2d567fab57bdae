"""connectkit as a Dash plugin: off unless asked, and then what create_app gives.

Dash runs connectkit's setup hook inside every ``Dash()`` of a process where
connectkit is installed (this one included): with ``CONNECTKIT_PLUGIN`` unset
a bare app must come out exactly as Dash alone makes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from connectkit import create_app, current_visitor, job_visitor
from connectkit.credentials import HEADER, credentials_header
from connectkit.plugin import ALLOWED_GROUPS_ENV, PLUGIN_ENV
from connectkit.settings import SettingError
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV
from dash import Dash, Input, Output, html

from scripts.perf.dash_requests import UPDATE_PATH, callback_body

ALICE = credentials_header("alice", ["sales-emea"])
BOB = credentials_header("bob", ["sales-amer"])


def plain_app() -> Dash:
    """An app as Dash's documentation writes one: nothing of connectkit in it."""
    app = Dash(__name__)
    app.layout = html.Div([html.Div(id="who"), html.Div(id="job")])

    @app.callback(Output("who", "children"), Input("who", "id"))
    def who(_id: Any) -> str:
        return current_visitor().display_name

    @app.callback(Output("job", "children"), Input("job", "id"))
    def job(_id: Any) -> str:
        return job_visitor().display_name

    return app


def callback_answer(app: Dash, output: str, header: str | None) -> Any:
    body = callback_body([(output, "children")], [(output, "id", output)])
    headers = {HEADER: header} if header else {}
    return app.server.test_client().post(f"/{UPDATE_PATH}", json=body, headers=headers)


def shown(app: Dash, output: str, header: str | None) -> str:
    answer = callback_answer(app, output, header)
    assert answer.status_code == 200, answer.text
    return str(answer.json["response"][output]["children"])


@pytest.fixture
def plugin_on(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv(PLUGIN_ENV, "true")
    monkeypatch.setenv(TRUSTED_FRONTEND_ENV, LOCAL_RUNNER)  # believe the test's header
    monkeypatch.delenv(ALLOWED_GROUPS_ENV, raising=False)
    return monkeypatch


def test_off_a_bare_app_is_what_dash_alone_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLUGIN_ENV, raising=False)
    monkeypatch.setenv(TRUSTED_FRONTEND_ENV, LOCAL_RUNNER)
    app = plain_app()
    client = app.server.test_client()
    assert app.config.health_endpoint is None
    assert client.get("/health").text != "OK"  # Dash's catch-all: the index page
    assert app.server.after_request_funcs == {}
    assert "CONNECTKIT_IDENTITY" not in app.server.config
    script = client.get(
        "/_dash-component-suites/dash/dcc/dash_core_components.js",
        headers={"Accept-Encoding": "gzip"},
    )
    assert script.status_code == 200 and "Content-Encoding" not in script.headers
    # no visitor is carried into the callback context
    assert shown(app, "job", ALICE) == "anonymous"


@pytest.mark.parametrize("value", ["", "0", "false", "off", "no"])
def test_off_values_attach_nothing(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(PLUGIN_ENV, value)
    assert plain_app().config.health_endpoint is None


def test_a_value_it_cannot_read_stops_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLUGIN_ENV, "maybe")
    with pytest.raises(SettingError, match=rf"{PLUGIN_ENV} is 'maybe'; expected true or false"):
        plain_app()


def test_on_the_plain_app_gets_visitor_health_and_compression(plugin_on: Any) -> None:
    app = plain_app()
    client = app.server.test_client()
    assert client.get("/health").text == "OK"
    assert shown(app, "who", ALICE) == "alice"
    assert shown(app, "who", None) == "anonymous"
    script = client.get(
        "/_dash-component-suites/dash/dcc/dash_core_components.js",
        headers={"Accept-Encoding": "gzip"},
    )
    assert script.status_code == 200
    assert script.headers["Content-Encoding"] == "gzip"


def test_on_the_visitor_is_carried_into_background_jobs(plugin_on: Any) -> None:
    app = plain_app()
    assert shown(app, "job", ALICE) == "alice"
    assert shown(app, "job", BOB) == "bob"


def test_on_the_visitor_needs_a_trusted_frontend(plugin_on: Any) -> None:
    plugin_on.delenv(TRUSTED_FRONTEND_ENV)
    assert shown(plain_app(), "who", ALICE) == "anonymous"


def test_the_gate_from_configuration_covers_pages_and_callbacks(plugin_on: Any) -> None:
    plugin_on.setenv(ALLOWED_GROUPS_ENV, "sales-emea, admins")
    app = plain_app()
    client = app.server.test_client()
    for path in ("/", "/any/deep/link", "/_dash-layout", "/_dash-dependencies"):
        assert client.get(path, headers={HEADER: BOB}).status_code == 403, path
        assert client.get(path, headers={HEADER: ALICE}).status_code == 200, path
    refused = callback_answer(app, "who", BOB)
    assert refused.status_code == 403
    assert "sales-emea" in refused.text and "bob" in refused.text
    assert callback_answer(app, "who", None).status_code == 403
    assert shown(app, "who", ALICE) == "alice"
    assert client.get("/health").text == "OK"  # the one open path


def test_set_but_empty_the_gate_lets_nobody_in(plugin_on: Any) -> None:
    plugin_on.setenv(ALLOWED_GROUPS_ENV, "")
    client = plain_app().server.test_client()
    assert client.get("/", headers={HEADER: ALICE}).status_code == 403
    assert client.get("/health").text == "OK"


def test_the_gate_answers_under_the_prefix(plugin_on: Any) -> None:
    plugin_on.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")
    plugin_on.setenv(ALLOWED_GROUPS_ENV, "sales-emea")
    client = plain_app().server.test_client()
    assert client.get("/health").text == "OK"
    assert client.get("/", headers={HEADER: BOB}).status_code == 403
    index = client.get("/", headers={HEADER: ALICE}).text
    assert 'href="/content/abc/_favicon.ico' in index


def test_create_app_attaches_once_and_ignores_the_plugins_settings(plugin_on: Any) -> None:
    plugin_on.setenv(ALLOWED_GROUPS_ENV, "nobody")
    app = create_app(__name__, title="t", layout=html.P("x"), environ={})
    client = app.server.test_client()
    assert client.get("/", headers={HEADER: ALICE}).status_code == 200  # no plugin gate
    assert len(app.server.after_request_funcs[None]) == 1  # compression, once
    assert client.get("/health").text == "OK"
    # its environ, not the process's: the header is not trusted here
    assert app.server.config["CONNECTKIT_IDENTITY"].trust.trusted is False


def test_dash_loads_the_plugin_from_its_entry_point() -> None:
    """In a fresh interpreter that never imports connectkit: Dash finds it installed."""
    script = textwrap.dedent(
        """
        import sys
        from dash import Dash, html
        app = Dash(__name__)
        app.layout = html.P("plain")
        print(app.server.test_client().get("/health").text)
        print("connectkit.entry_point" in sys.modules)
        """
    )
    env = {**os.environ, PLUGIN_ENV: "true"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["OK", "True"]


def test_an_app_on_another_server_than_flask_is_refused(plugin_on: Any) -> None:
    from connectkit.plugin import Attachment, attach

    app = Dash(__name__)
    app.server = object()  # as a FastAPI or Quart backend would give
    with pytest.raises(SettingError, match=r"Flask server only, and this app is served by object"):
        attach(app, Attachment(environ={}))
