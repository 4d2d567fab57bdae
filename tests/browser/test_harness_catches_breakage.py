"""The smoke check itself must fail, with evidence, on broken apps.

The apps under broken_apps/ are deliberately wrong copies of hello, served by
the same runner and checked by the same code as the real apps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.browser.smoke import AppPage, SmokeFailure

BROKEN = Path(__file__).parent / "broken_apps"

# broken app -> what its failure message must show
EXPECTED_EVIDENCE = {
    "console-error": ["console:", "deliberate console failure"],
    "failing-callback": ["HTTP 500", "server traceback", "ZeroDivisionError"],
    "html-script": ["script answered with text/html", "no-such-script.js"],
}


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(EXPECTED_EVIDENCE))
def test_smoke_check_reports_why(name: str, browser: Any, served_app: Any) -> None:
    with served_app(BROKEN / name) as served:
        page = AppPage(browser, served, label=f"broken-{name}")
        with pytest.raises(SmokeFailure) as failure:
            page.open().check()
    message = str(failure.value)
    for evidence in EXPECTED_EVIDENCE[name]:
        assert evidence in message
    assert served.url in message
    assert "screenshot: " in message and page.screenshot_path.is_file()
    assert "last stderr lines" in message


@pytest.mark.browser
def test_smoke_check_passes_a_healthy_copy(browser: Any, served_app: Any) -> None:
    """The control: the same harness on the real hello app finds nothing."""
    with served_app("hello") as served:
        AppPage(browser, served, label="harness-control").open().check()
