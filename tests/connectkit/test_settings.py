"""connectkit.settings: the readers every app's settings use; each error names the
setting, the value as given and what would work."""

from __future__ import annotations

import math

import pytest
from connectkit.settings import SettingError, read_number, read_whole_number


@pytest.mark.parametrize(
    ("raw", "expected"), [("", 60.0), ("  ", 60.0), ("0.5", 0.5), (" 600 ", 600.0)]
)
def test_a_number_in_range_or_the_default(raw: str, expected: float) -> None:
    environ = {"JOB_S": raw}
    assert read_number(environ, "JOB_S", default=60.0, low=0.1, high=600.0) == expected
    assert read_number({}, "JOB_S", default=60.0, low=0.1, high=600.0) == 60.0


@pytest.mark.parametrize("raw", ["soon", "0", "601", "nan", "inf", "-inf", "1e9"])
def test_a_number_out_of_range_names_the_setting_the_value_and_the_range(raw: str) -> None:
    with pytest.raises(SettingError) as error:
        read_number(
            {"JOB_S": raw}, "JOB_S", default=60.0, low=0.1, high=600.0, unit="seconds", hint="why"
        )
    assert str(error.value) == f"JOB_S is {raw!r}; expected seconds from 0.1 to 600 (why)"


def test_nan_is_never_a_value() -> None:
    assert not math.isnan(read_number({"X": ""}, "X", default=1.0, low=0, high=2))


@pytest.mark.parametrize(("raw", "expected"), [("", 6), ("1", 1), ("1_000", 1000), (" 64 ", 64)])
def test_a_whole_number_in_range_or_the_default(raw: str, expected: int) -> None:
    assert read_whole_number({"N": raw}, "N", default=6, high=1000) == expected


@pytest.mark.parametrize(
    ("raw", "high", "message"),
    [
        ("1e6", None, "N is '1e6'; expected a whole number of rows of at least 1"),
        ("0", None, "N is '0'; expected a whole number of rows of at least 1"),
        ("-3", 64, "N is '-3'; expected a whole number of rows from 1 to 64"),
        ("65", 64, "N is '65'; expected a whole number of rows from 1 to 64"),
        ("6.0", 64, "N is '6.0'; expected a whole number of rows from 1 to 64"),
    ],
)
def test_a_bad_whole_number_names_itself(raw: str, high: int | None, message: str) -> None:
    with pytest.raises(SettingError) as error:
        read_whole_number({"N": raw}, "N", default=6, high=high, unit="rows")
    assert str(error.value) == message
