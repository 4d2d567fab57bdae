"""The Connect-like layer of the runner: prefix stripping, redirects, identity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from connectkit.credentials import credentials_header
from werkzeug.test import Client

from scripts.connect_rules.vanity import normalise_vanity
from scripts.runner.frontend import (
    ConnectLikeFrontend,
    normalise_prefix,
)


def echo_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = json.dumps(
        {
            "path": environ["PATH_INFO"],
            "creds": environ.get("HTTP_RSTUDIO_CONNECT_CREDENTIALS"),
            "session": environ.get("HTTP_POSIT_CONNECT_USER_SESSION_TOKEN"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/content/abc/", "/content/abc/"),
        ("content/abc", "/content/abc/"),
        ("/content/abc", "/content/abc/"),
        ("/", "/"),
        ("", "/"),
    ],
)
def test_normalise_prefix(given: str, expected: str) -> None:
    assert normalise_prefix(given) == expected


@pytest.mark.parametrize(
    ("path", "status", "seen_path", "location"),
    [
        ("/content/abc/", 200, "/", None),
        ("/content/abc/_dash-layout", 200, "/_dash-layout", None),
        ("/content/abc/reports/7", 200, "/reports/7", None),
        ("/", 302, None, "/content/abc/"),
        ("/content/abc", 302, None, "/content/abc/"),
        ("/content/other/", 404, None, None),
        ("/_dash-layout", 404, None, None),
    ],
)
def test_prefix_is_stripped_or_refused(
    path: str, status: int, seen_path: str | None, location: str | None
) -> None:
    client = Client(ConnectLikeFrontend(echo_app, "/content/abc/"))
    response = client.get(path)
    assert response.status_code == status
    if seen_path is not None:
        assert response.json["path"] == seen_path
    if location is not None:
        assert response.headers["Location"] == location


def test_root_prefix_passes_everything_through() -> None:
    client = Client(ConnectLikeFrontend(echo_app, "/"))
    assert client.get("/page-2").json["path"] == "/page-2"


def test_client_cannot_choose_its_identity() -> None:
    """As on Connect, a header sent by the browser is replaced, never passed on."""
    forged = json.dumps({"user": "admin", "groups": ["admins"]})
    anonymous = Client(ConnectLikeFrontend(echo_app, "/p/", credentials=None))
    assert (
        anonymous.get("/p/", headers={"RStudio-Connect-Credentials": forged}).json["creds"] is None
    )
    alice = Client(ConnectLikeFrontend(echo_app, "/p/", credentials=credentials_header("alice")))
    seen = alice.get("/p/", headers={"RStudio-Connect-Credentials": forged}).json["creds"]
    assert json.loads(seen) == {"user": "alice", "groups": []}


@pytest.mark.parametrize(
    ("user", "groups", "expected"),
    [
        ("", ["a"], None),
        (None, [], None),
        ("alice", ["a", "", "b"], {"user": "alice", "groups": ["a", "b"]}),
    ],
)
def test_credentials_header(user: str | None, groups: list[str], expected: Any) -> None:
    value = credentials_header(user, groups)
    assert (json.loads(value) if value else None) == expected


@pytest.mark.parametrize(
    ("path", "status", "seen_path"),
    [
        ("/sales/", 200, "/"),  # the vanity root reaches the app's index
        ("/sales", 200, "/"),
        ("/sales/page-2", 404, None),  # sub-paths do not, as on Connect
        ("/content/abc/page-2", 200, "/page-2"),  # the content URL still works
    ],
)
def test_vanity_path_serves_only_the_index(path: str, status: int, seen_path: str | None) -> None:
    client = Client(ConnectLikeFrontend(echo_app, "/content/abc/", vanity="sales"))
    response = client.get(path)
    assert response.status_code == status
    if seen_path is not None:
        assert response.json["path"] == seen_path


@pytest.mark.parametrize("vanity", ["/", "/content/x/", "/connect/", "/__api__/", "/a b/", "/é/"])
def test_invalid_vanity_paths_are_refused(vanity: str) -> None:
    with pytest.raises(ValueError, match="vanity path"):
        normalise_vanity(vanity)


def test_vanity_paths_are_normalised() -> None:
    assert normalise_vanity("team/sales") == "/team/sales/"


def test_client_cannot_send_a_session_token() -> None:
    """Only Connect mints Posit-Connect-User-Session-Token: a browser's copy is dropped."""
    alice = Client(ConnectLikeFrontend(echo_app, "/p/", credentials=credentials_header("alice")))
    seen = alice.get("/p/", headers={"Posit-Connect-User-Session-Token": "a.b.c"}).json
    assert seen["session"] is None and seen["creds"] is not None


@pytest.mark.parametrize(
    ("authorization", "status", "creds"),
    [
        ("Key ada-key", 200, credentials_header("ada", ["sales-emea"])),
        ("key  bob-key ", 200, credentials_header("bob", [])),
        (None, 200, credentials_header("default", [])),  # no key: the runner's visitor
        ("Key stolen", 401, None),  # as Connect refuses an unknown key
        ("Bearer ada-key", 200, credentials_header("default", [])),  # not Connect's key scheme
    ],
)
def test_an_api_key_visits_as_its_user(authorization: str | None, status: int, creds: Any) -> None:
    keys = {
        "ada-key": credentials_header("ada", ["sales-emea"]),
        "bob-key": credentials_header("bob", []),
    }
    app = ConnectLikeFrontend(
        echo_app, "/content/abc/", credentials_header("default", []), visitor_keys=keys
    )
    headers = {"Authorization": authorization} if authorization else {}
    response = Client(app).get("/content/abc/", headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["creds"] == creds
    else:
        assert "names no visitor" in response.get_data(as_text=True)
