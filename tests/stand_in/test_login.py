"""``/__login__`` hands out an identity only on a POST with proof; groups the apps name exist."""

from __future__ import annotations

import re
import subprocess
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from scripts.catalog import APPS_DIR, REPO_ROOT
from scripts.connect_local.launch import ConnectLocal, running_connect_local

BOB = "bob-key"
VISITING_AS = re.compile(
    r"Visiting as <b id='visitor'>(?P<who>[^<]*)</b> \(groups: (?P<groups>[^)]*)\)"
)


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("login") / "state"
    with running_connect_local(
        state, users=[("bob", "publisher", BOB), "carol:ops"], extra_args=["--groups-from-apps"]
    ) as server:
        yield server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def http_error_303(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        return fp

    http_error_302 = http_error_303


def call(
    connect: ConnectLocal, path: str, form: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, str, str]:
    """(status, page text, the visitor cookie set or "") of a GET, or a POST of ``form``."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(connect.url + path, data, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            status, text, headers = response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        with error:
            status, text, headers = error.code, error.read().decode(), error.headers
    set_cookie = headers.get("Set-Cookie") or ""
    return status, text, set_cookie.split(";")[0]


def visiting_as(connect: ConnectLocal, cookie: str) -> tuple[str, str]:
    match = VISITING_AS.search(call(connect, "/", cookie=cookie)[1])
    assert match, "the landing page names no visitor"
    return match["who"], match["groups"]


def test_a_get_never_logs_anyone_in(connect: ConnectLocal) -> None:
    status, page, cookie = call(connect, "/__login__?user=bob&groups=admins&next=/")
    assert status == 200 and cookie == ""
    assert "value='bob'" in page and "name='token'" in page  # the form, pre-filled
    assert visiting_as(connect, "") == ("anonymous", "none")


@pytest.mark.parametrize("token", ["", "not-the-token", "connect-local-test-key-typo"])
def test_a_post_without_proof_is_refused(connect: ConnectLocal, token: str) -> None:
    status, page, cookie = call(connect, "/__login__", {"token": token, "user": "carol"})
    assert status == 403 and cookie == ""
    assert "token printed at start-up or an API key" in page


def test_the_start_up_token_picks_any_visitor(connect: ConnectLocal) -> None:
    assert f"Login token (POST /__login__ to pick a visitor): {connect.login_token}" in (
        connect.log_tail(200)
    )
    form = {"token": connect.login_token, "user": "dora", "groups": "ops,admins", "next": "/x"}
    status, _, cookie = call(connect, "/__login__", form)
    assert status == 303 and cookie.startswith("connect_local_visitor=dora.")
    assert visiting_as(connect, cookie) == ("dora", "ops, admins")
    # the default --api-key is as good as the token
    form = {"token": connect.api_key, "user": "carol"}
    assert visiting_as(connect, call(connect, "/__login__", form)[2]) == ("carol", "ops")


def test_a_users_own_key_logs_in_as_that_user_only(connect: ConnectLocal) -> None:
    status, _, cookie = call(connect, "/__login__", {"token": BOB})
    assert status == 303 and visiting_as(connect, cookie) == ("bob", "none")
    for form in ({"token": BOB, "user": "carol"}, {"token": BOB, "groups": "admins"}):
        status, page, cookie = call(connect, "/__login__", form)
        assert status == 403 and cookie == "" and "logs in as bob only" in page


def test_a_hand_written_cookie_names_nobody(connect: ConnectLocal) -> None:
    for cookie in ("bob", "bob.0000", "carol." + "0" * 64):
        assert visiting_as(connect, f"connect_local_visitor={cookie}") == ("anonymous", "none")
    signed = connect.visitor_cookie("carol")
    assert visiting_as(connect, signed) == ("carol", "ops")
    forged = signed.replace("carol.", "bob.")
    assert visiting_as(connect, forged) == ("anonymous", "none")


def _groups_apps_name() -> set[str]:
    names: set[str] = set()
    for pyproject in APPS_DIR.glob("*/pyproject.toml"):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("monorepo", {})
        names.update(table.get("deploy", {}).get("groups", []))
    return names


def test_groups_the_apps_name_exist_at_start(connect: ConnectLocal) -> None:
    expected = _groups_apps_name()
    assert {"sales-emea", "sales-amer", "admins"} <= expected  # what the apps ask today
    found = {g["name"] for g in connect.api("GET", "v1/groups?page_size=500")["results"]}
    assert expected <= found


def test_make_connect_local_creates_them() -> None:
    result = subprocess.run(
        ["make", "-n", "connect-local"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert "scripts.connect_local" in result.stdout and "--groups-from-apps" in result.stdout
