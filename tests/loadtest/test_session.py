"""The recording's format: answer shapes, marks for where it was served, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.loadtest.session import (
    Session,
    SessionError,
    Step,
    answer_shape,
    missing_from,
    placed,
    shape_of,
    unplaced,
)

GREETING = {"multi": True, "response": {"greeting": {"children": "Hello!"}}}
CARD = {"type": "Div", "namespace": "dash_html_components", "props": {"children": "down"}}


@pytest.mark.parametrize(
    ("answer", "lacks"),
    [
        (GREETING, []),
        ({"multi": True, "response": {"greeting": {"children": "Hi, Ada"}}}, []),  # values vary
        ({"multi": True, "response": {"other": {"children": "x"}}}, ["response.greeting"]),
        ({"multi": True, "response": {"greeting": {"children": CARD}}}, ["children:text"]),
        ([], ["multi"]),
    ],
)
def test_a_callback_answer_must_hold_the_recorded_shape(answer: Any, lacks: list[str]) -> None:
    expected = answer_shape("_dash-update-component", GREETING)
    missing = missing_from(expected, "_dash-update-component", answer)
    assert all(any(p.endswith(part) for p in missing) for part in lacks)
    assert bool(missing) == bool(lacks)


def test_a_component_in_an_answer_names_its_type() -> None:
    shape = shape_of({"response": {"x": {"children": CARD}}}, 5)
    assert "response.x.children.<dash_html_components.Div>" in shape


def test_lists_are_data_not_shape() -> None:
    assert shape_of({"data": [1, 2, 3]}, 5) == shape_of({"data": []}, 5) == ["data", "data:list"]


def test_the_recording_server_is_marked_and_put_back() -> None:
    body = {"inputs": [{"value": "/content/abc/page-2", "href": "http://127.0.0.1:5/content/abc/"}]}
    marked = unplaced(body, "http://127.0.0.1:5", "/content/abc/")
    assert "abc" not in str(marked) and "127.0.0.1:5" not in str(marked)
    again = placed(marked, "http://127.0.0.1:9", "/content/xyz/")
    assert again == {
        "inputs": [{"value": "/content/xyz/page-2", "href": "http://127.0.0.1:9/content/xyz/"}]
    }


def test_a_session_round_trips(tmp_path: Path) -> None:
    step = Step("POST", "_dash-update-component?x=1", 200, 0.5, GREETING, ["multi"])
    Session("hello", [step]).save(tmp_path / "s.json")
    loaded = Session.load(tmp_path / "s.json")
    assert loaded.steps == [step]
    assert step.kind == "callback" and step.route == "_dash-update-component"


def test_a_missing_recording_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="make record APP=hello"):
        Session.load(tmp_path / "hello" / "loadtest" / "session.json")
