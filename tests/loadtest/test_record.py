"""Recording a visit in Chromium: what the file holds, and what it must not."""

from __future__ import annotations

import pytest

from scripts.catalog import SmokeVisitor, find_app
from scripts.loadtest.record import identity_leaks, record
from scripts.loadtest.session import Session, Step


@pytest.mark.browser
def test_hello_is_recorded_with_its_callback_and_no_server_address() -> None:
    session = record(find_app("hello"), SmokeVisitor("ada-recorded", ("staff",)))
    paths = [step.route for step in session.steps]
    assert paths[0] == "" and "_dash-layout" in paths and "_dash-dependencies" in paths
    [callback] = [step for step in session.steps if step.kind == "callback"]
    assert callback.status == 200
    assert "response.greeting.children:text" in callback.shape
    text = str([(s.path, s.body) for s in session.steps])
    assert "127.0.0.1" not in text and "/content/" not in text
    assert "ada-recorded" not in text and "staff" not in text
    assert all(step.think_s >= 0 for step in session.steps)


def test_a_recording_that_names_the_visitor_is_refused() -> None:
    body = {"inputs": [{"id": "who", "property": "data", "value": "ada"}]}
    session = Session("x", [Step("POST", "_dash-update-component", 200, body=body)])
    assert identity_leaks(session, SmokeVisitor("ada")) == ["callback ?"]
    assert identity_leaks(session, SmokeVisitor("")) == []
