"""connectkit.navigation: navbar entries from the page registry, the current page marked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from connectkit import create_app, page_navigation, strip_prefix
from connectkit.navigation import (
    LOCATION_ID,
    NAV_LINK_TYPE,
    NavEntry,
    current_pattern,
    nav_entries,
    nav_links,
    pattern_matches,
)
from dash import Dash, html

REGISTRY: dict[str, dict[str, Any]] = {
    "pages.home": {"name": "Home", "path": "/", "relative_path": "/content/abc/"},
    "pages.page_2": {"name": "Page 2", "path": "/page-2", "relative_path": "/content/abc/page-2"},
    "pages.reports": {
        "name": "Reports",
        "path": "/reports/7",
        "path_template": "/reports/<report_id>",
        "relative_path": "/content/abc/reports/7",
    },
    "pages.admin": {"name": "Admin", "path": "/admin", "relative_path": "/x/admin", "nav": False},
    "pages.not_found_404": {"name": "Not found", "path": "/404", "relative_path": "/x/404"},
}


def test_entries_follow_the_registry_and_skip_hidden_and_404_pages() -> None:
    assert nav_entries(REGISTRY) == [
        NavEntry("Home", "/content/abc/", "/"),
        NavEntry("Page 2", "/content/abc/page-2", "/page-2"),
        NavEntry("Reports", "/content/abc/reports/7", "/reports/<report_id>"),
    ]
    assert nav_entries({}) == []


@pytest.mark.parametrize(
    ("pattern", "stripped_path", "expected"),
    [
        ("/", "", True),
        ("/", "page-2", False),
        ("/page-2", "page-2", True),
        ("/page-2", "page-22", False),
        ("/page-2", "page-2/more", False),
        ("/reports/<report_id>", "reports/7", True),
        ("/reports/<report_id>", "reports/q3%20sales", True),
        ("/reports/<report_id>", "reports", False),
        ("/reports/<report_id>", "report/7", False),
        ("/reports/<report_id>", "reports/7/x", True),  # as Dash's router: report_id "7/x"
        ("/a/<x>/b/<y>", "a/1/b/2", True),
        ("/a/<x>/b/<y>", "a/1/c/2", False),
        ("/v1.0", "v1x0", False),  # literal parts are not regular expressions
    ],
)
def test_pattern_matches(pattern: str, stripped_path: str, expected: bool) -> None:
    assert pattern_matches(pattern, stripped_path) is expected


def test_current_pattern_is_the_first_match_like_dashs_router() -> None:
    patterns = ["/", "/reports/<id>", "/<anything>"]
    assert current_pattern(patterns, "") == "/"
    assert current_pattern(patterns, "reports/7") == "/reports/<id>"
    assert current_pattern(patterns, "other") == "/<anything>"
    assert current_pattern(["/", "/page-2"], "missing") is None
    assert current_pattern(patterns, None) is None  # outside the prefix


def test_links_carry_the_prefixed_href_and_the_pattern_in_their_id() -> None:
    (item,) = nav_links([NavEntry("Reports", "/content/abc/reports/7", "/reports/<id>")])
    link = item.children
    assert link.href == "/content/abc/reports/7"
    assert link.id == {"type": NAV_LINK_TYPE, "pattern": "/reports/<id>"}
    assert link.className == "nav-link"  # unmarked until the location callback runs


@pytest.fixture
def pages_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dash]:
    """A Dash Pages app under /content/abc/ with three pages; the registry restored after."""
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")
    saved = dict(dash.page_registry)
    dash.page_registry.clear()
    try:
        app = create_app(
            "nav_test",
            title="Nav test",
            layout=dash.page_container,
            nav=page_navigation,
            use_pages=True,
            pages_folder="",
        )
        dash.register_page("home", path="/", name="Home", layout=html.P("home"))
        dash.register_page("two", path="/page-2", name="Page 2", layout=html.P("two"))
        dash.register_page(
            "reports", path_template="/reports/<report_id>", name="Reports", layout=html.P("r")
        )
        yield app
    finally:
        dash.page_registry.clear()
        dash.page_registry.update(saved)


def marked(app: Dash, pathname: str) -> dict[str, bool]:
    """POST the browser's pathname to the marking callback as Dash's renderer does."""
    client = app.server.test_client()
    layout = json.dumps(client.get("/_dash-layout").get_json())
    patterns = ["/", "/page-2", "/reports/<report_id>"]
    for pattern in patterns:
        assert json.dumps(pattern) in layout  # each page's link is in the navbar
    (output,) = [
        d["output"]
        for d in client.get("/_dash-dependencies").get_json()
        if NAV_LINK_TYPE in d["output"]
    ]
    body = {
        "output": output,
        "outputs": [
            {"id": {"type": NAV_LINK_TYPE, "pattern": p}, "property": "className"} for p in patterns
        ],
        "inputs": [{"id": LOCATION_ID, "property": "pathname", "value": pathname}],
        "changedPropIds": [f"{LOCATION_ID}.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["response"]
    return {
        json.loads(key)["pattern"]: value["className"] == "nav-link active"
        for key, value in result.items()
    }


@pytest.mark.parametrize(
    ("pathname", "current"),
    [
        ("/content/abc/", "/"),
        ("/content/abc", "/"),
        ("/content/abc/page-2", "/page-2"),
        ("/content/abc/page-2/", "/page-2"),
        ("/content/abc/reports/q3", "/reports/<report_id>"),
        ("/content/abc/no-such-page", None),
        ("/vanity-url/", None),  # outside the prefix: nothing marked, no error
    ],
)
def test_the_callback_marks_the_current_page(
    pages_app: Dash, pathname: str, current: str | None
) -> None:
    result = marked(pages_app, pathname)
    assert result == {p: p == current for p in ("/", "/page-2", "/reports/<report_id>")}


@pytest.mark.parametrize(
    ("pathname", "stripped"),
    [
        ("/content/abc/", ""),
        ("/content/abc/page-2", "page-2"),
        ("/content/abc/reports/q3/", "reports/q3"),
        ("/vanity-url/", None),  # outside the prefix: None, not Dash's exception
        (None, None),  # before the browser's first location update
    ],
)
def test_strip_prefix(
    monkeypatch: pytest.MonkeyPatch, pathname: str | None, stripped: str | None
) -> None:
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")
    app = create_app("strip_test", title="Strip", layout=html.P("x"))
    assert strip_prefix(app, pathname) == stripped
