"""My content: two visitors of the app deployed on the stand-in each see their own
items and nothing of the other's; the session token never reaches the browser;
every reason for having no list is explained in plain words.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from connectkit import VisitorAccessError
from connectkit.oauth import VisitorAccessReason
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from scripts.browser.smoke import AppPage
from scripts.catalog import find_app
from scripts.connect_local.launch import ConnectLocal, DeployedContent
from scripts.connect_local.sessions import VISITOR_COOKIE
from scripts.deploy.invoke import run_deploy_tool
from tests.support.connect_server import ConnectServers, not_applicable

APP_DIR = find_app("my-content").path
# Every JWT the stand-in signs starts with this header: {"alg":"HS256","typ":"JWT"}.
JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"


@pytest.fixture(scope="module")
def listing() -> Iterator[dict[str, ModuleType]]:
    """The app's ``listing`` package, imported as Connect would (the app folder on the path)."""
    sys.path.insert(0, str(APP_DIR))
    try:
        yield {name: importlib.import_module(f"listing.{name}") for name in ("rows", "explain")}
    finally:
        sys.path.remove(str(APP_DIR))
        for name in [m for m in sys.modules if m == "listing" or m.startswith("listing.")]:
            del sys.modules[name]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-31T14:05:09Z", "2026-01-31 14:05 UTC"),
        ("2026-01-31T15:05:09+01:00", "2026-01-31 14:05 UTC"),
        ("2026-01-31T14:05:09", "2026-01-31 14:05 UTC"),
        (None, "never"),
        ("", "never"),
        ("yesterday", "never"),
        (12, "never"),
    ],
)
def test_last_deploy_is_shown_in_utc_or_never(
    listing: dict[str, ModuleType], value: Any, expected: str
) -> None:
    assert listing["rows"].deployed_text(value) == expected


def test_the_visitors_own_items_come_first(listing: dict[str, ModuleType]) -> None:
    items = [
        {"title": "b shared", "app_role": "viewer", "access_type": "acl"},
        {"title": "Z mine", "app_role": "owner", "access_type": "logged_in"},
        {"name": "a-untitled", "app_role": "viewer", "access_type": "all"},
    ]
    rows = listing["rows"].sorted_rows(items)
    assert [r.title for r in rows] == ["Z mine", "a-untitled", "b shared"]
    assert [r.access for r in rows] == [
        "All signed-in users",
        "Anyone, no login needed",
        "Specific users or groups",
    ]
    assert [r.role for r in rows] == ["Owner", "Viewer", "Viewer"]


@pytest.mark.parametrize("reason", list(VisitorAccessReason))
def test_every_reason_is_explained_with_what_to_do(
    listing: dict[str, ModuleType], reason: VisitorAccessReason
) -> None:
    what, what_to_do = listing["explain"].explanation(VisitorAccessError(reason, "it failed"))
    assert what == "It failed." and what_to_do


# -- deployed on the stand-in, in a browser ------------------------------------------------


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectLocal]:
    """The stand-in (a `connect` test: on a real server, not applicable)."""
    users = ["alice:analysts", "bob:sales"]
    with connect_server.start("my-content", users=users, environments_dir=environments_dir) as s:
        if not isinstance(s, ConnectLocal):
            not_applicable(
                "alice and bob log in through the stand-in's form; on a real server they "
                "would need passwords, and the deploy a name with the run's prefix"
            )
        yield s


def share(connect: ConnectLocal, guid: str, username: str) -> None:
    [user] = [u for u in connect.api("GET", f"v1/users?prefix={username}")["results"]]
    body = {"principal_guid": user["guid"], "principal_type": "user", "role": "viewer"}
    connect.api("POST", f"v1/content/{guid}/permissions", body)


@pytest.fixture(scope="module")
def deployed(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> DeployedContent:
    """my-content deployed by the deploy tool; one private item shared with each visitor."""
    run = run_deploy_tool(
        connect.url, connect.api_key, tmp_path_factory.mktemp("deploy"), "my-content"
    )
    assert run.result.returncode == 0, run.explain()
    for owner in ("alice", "bob"):
        item = connect.api("POST", "v1/content", {"name": f"{owner}-notes"})
        connect.api("PATCH", f"v1/content/{item['guid']}", {"title": f"{owner.title()}'s notes"})
        share(connect, item["guid"], owner)  # acl, the default: nobody else may see it
    return DeployedContent.find(connect, run.by_app()["my-content"]["guid"])


def open_as(browser: Any, connect: ConnectLocal, deployed: DeployedContent, user: str) -> AppPage:
    browser.get(connect.url + "/__login__")  # a page of the stand-in's origin, for the cookie
    name, _, value = connect.visitor_cookie(user).partition("=")
    assert name == VISITOR_COOKIE
    browser.delete_all_cookies()
    browser.add_cookie({"name": name, "value": value, "path": "/"})
    page = AppPage(browser, deployed, label=f"my-content-{user}").open()  # type: ignore[arg-type]
    page.check()
    return page


def titles(browser: Any) -> list[str]:
    return [
        row.find_element(By.TAG_NAME, "td").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#content-table .content-row")
    ]


def responses_of(browser: Any, page: AppPage) -> list[str]:
    """The bodies of every response the browser received for the page (CDP)."""
    bodies = []
    for request_id in page.journal.requests:
        try:
            found = browser.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        except WebDriverException:  # a redirect or a cached response has no body
            continue
        bodies.append(str(found.get("body", "")))
    return bodies


@pytest.mark.browser
def test_each_visitor_sees_their_own_content_and_nothing_of_the_others(
    browser: Any, connect: ConnectLocal, deployed: DeployedContent
) -> None:
    seen = {}
    for user in ("alice", "bob"):
        page = open_as(browser, connect, deployed, user)
        assert f"for {user}, read with {user}'s own rights" in page.text("#summary")
        seen[user] = titles(browser)
        bodies = responses_of(browser, page)
        assert any("content-table" in body for body in bodies), "no layout response captured"
        for text in (*bodies, browser.page_source):
            assert JWT_HEADER not in text, "a session token reached the browser"
        assert not [c for c in browser.get_cookies() if c["name"] != VISITOR_COOKIE]
    assert "Alice's notes" in seen["alice"] and "Bob's notes" not in seen["alice"]
    assert "Bob's notes" in seen["bob"] and "Alice's notes" not in seen["bob"]
    assert "My content" in seen["alice"] and "My content" in seen["bob"]
    assert JWT_HEADER not in deployed.stderr(), "a session token reached the app's log"


@pytest.mark.browser
def test_without_an_association_the_page_explains_instead_of_failing(
    browser: Any, connect: ConnectLocal, deployed: DeployedContent
) -> None:
    guid = deployed.url.rstrip("/").rsplit("/", 1)[1]
    path = f"__api__/v1/content/{guid}/oauth/integrations/associations"
    _, associations = connect.request("GET", path)
    connect.request("PUT", path, [])
    try:
        page = open_as(browser, connect, deployed, "alice")
        assert "not associated with an OAuth integration" in page.text("#problem")
        assert "Connect API" in page.text("#what-to-do")
    finally:
        body = [{"oauth_integration_guid": a["oauth_integration_guid"]} for a in associations]
        connect.request("PUT", path, body)
    assert titles(browser) == []
    assert "Traceback" not in deployed.stderr()
