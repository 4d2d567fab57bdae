"""connectkit.inputs: callback inputs read by type and size, each refusal one sentence."""

from __future__ import annotations

from typing import Any

import pytest
from connectkit.inputs import (
    MAX_ITEMS,
    InputError,
    limit_request_size,
    short_text,
    string_list,
    whole_number,
)
from flask import Flask, request


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        (3.0, "Months must be a whole number; got 3.0."),
        (True, "Months must be a whole number; got True."),
        ("3", "Months must be a whole number; got '3'."),
        ([3], "Months must be a whole number; got [3]."),
        (None, "Months must be a whole number; got None."),
        (7, "Months must be one of 3, 6, 12; got 7."),
    ],
)
def test_a_whole_number_is_an_int_and_nothing_else(value: Any, sentence: str) -> None:
    with pytest.raises(InputError) as refused:
        whole_number(value, "Months", choices=(3, 6, 12))
    assert str(refused.value) == sentence


def test_a_whole_number_in_its_type() -> None:
    assert whole_number(6, "Months", choices=(3, 6, 12)) == 6
    assert whole_number(-5, "Count") == -5  # no choices: any int


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("EMEA", "Regions must be a list of choices; got 'EMEA'."),
        (3.0, "Regions must be a list of choices; got 3.0."),
        ({"a": 1}, "Regions must be a list of choices; got {'a': 1}."),
        ([["EMEA"]], "Regions must hold only names; got ['EMEA']."),
        (["EMEA", 1], "Regions must hold only names; got 1."),
        (["x"] * (MAX_ITEMS + 1), f"Regions has {MAX_ITEMS + 1} choices; at most {MAX_ITEMS}."),
        (
            ["x" * 2000],
            "Regions must hold only names; got '" + "x" * 36 + "....",
        ),
    ],
)
def test_a_string_list_is_flat_short_and_of_strings(value: Any, sentence: str) -> None:
    with pytest.raises(InputError) as refused:
        string_list(value, "Regions")
    assert str(refused.value) == sentence


def test_a_string_list_as_sent() -> None:
    assert string_list(None, "Regions") is None
    assert string_list([], "Regions") == ()
    assert string_list(["EMEA", "unknown"], "Regions") == ("EMEA", "unknown")  # values: the app's
    assert string_list("EMEA", "Region", single=True) == ("EMEA",)


def test_short_text() -> None:
    assert short_text(None, "Name") is None
    assert short_text("Ada", "Name") == "Ada"
    with pytest.raises(InputError, match=r"^Name must be text; got \['Ada'\]\.$"):
        short_text(["Ada"], "Name")
    with pytest.raises(InputError, match=r"^Name is 1,001 characters long; at most 1,000\.$"):
        short_text("x" * 1001, "Name")


def test_a_body_over_the_limit_is_refused_unread() -> None:
    server = Flask(__name__)
    read: list[int] = []

    @server.post("/echo")
    def echo() -> str:
        read.append(len(request.get_data()))
        return "ok"

    limit_request_size(server, 1024)
    client = server.test_client()
    assert client.post("/echo", data=b"x" * 1024).status_code == 200
    refused = client.post("/echo", data=b"x" * 1025)
    assert refused.status_code == 413 and read == [1024]
    assert refused.get_data(as_text=True) == (
        "This request is larger than the 1 KiB a callback of this app accepts; nothing was run."
    )
