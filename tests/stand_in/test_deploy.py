"""The real ``rsconnect deploy dash`` against the stand-in: builds, drafts, failures, access."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from posit.connect import Client

from scripts.connect_local.launch import ConnectLocal
from tests.stand_in.conftest import REQUIREMENTS, deploy, deployed_guid, make_bundle_dir

FRESH_REQUIREMENTS = REQUIREMENTS + "# the visitor app of tests/stand_in/test_deploy.py\n"

GREETING_CALLBACK = {
    "output": "greeting.children",
    "outputs": {"id": "greeting", "property": "children"},
    "inputs": [{"id": "greeting", "property": "id", "value": "greeting"}],
    "changedPropIds": [],
    "state": [],
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def visit(
    connect: ConnectLocal,
    path: str,
    *,
    visitor: str | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, str, dict[str, str]]:
    """(status, text, headers) of a content request; ``visitor`` "" means anonymous."""
    request = urllib.request.Request(
        connect.url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None else "GET",
        headers={
            **(headers or {}),
            **({"Content-Type": "application/json"} if body is not None else {}),
        },
    )
    if visitor is not None:
        request.add_header("Cookie", connect.visitor_cookie(visitor))
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(), dict(error.headers)


def greeting(connect: ConnectLocal, guid: str, **kwargs: Any) -> tuple[int, str]:
    """What the app's callback answers for this visitor (the header it received)."""
    status, text, _ = visit(
        connect, f"/content/{guid}/_dash-update-component", body=GREETING_CALLBACK, **kwargs
    )
    return status, text


@pytest.fixture(scope="module")
def visitor_app(
    connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path, str]:
    """The visitor app deployed once by rsconnect: (guid, folder, rsconnect output).

    Its requirements are this module's own (a comment line changes the
    environment's key): stand-ins share built environments across the run, so
    only a first build shows the install in the log this module checks.
    """
    folder = make_bundle_dir(
        tmp_path_factory.mktemp("bundles"), "visitor", requirements=FRESH_REQUIREMENTS
    )
    result = deploy(connect, folder, "Visitor greeting")
    return deployed_guid(result), folder, result.stdout + result.stderr


def test_deploy_uploads_chunked_then_drafts_verifies_and_activates(
    connect: ConnectLocal, visitor_app: tuple[str, Path, str]
) -> None:
    guid, _, output = visitor_app
    draft, activate = output.find("(draft)"), output.find("(activate)")
    assert 0 <= draft < output.find("Verifying deployed content") < activate, output
    [bundle] = connect.api("GET", f"v1/content/{guid}/bundles")
    assert connect.upload_record(guid, bundle["id"]) == {"form": "raw", "chunked": True}
    assert "x_connect_local_upload" not in bundle  # Connect's bundle fields only
    assert bundle["py_version"] == ".".join(map(str, sys.version_info[:3]))  # the manifest's
    content = connect.api("GET", f"v1/content/{guid}")
    assert content["bundle_id"] == bundle["id"] and content["app_mode"] == "python-dash"
    assert "Installed" in output  # the build log reached rsconnect through the task output


def test_acl_access_type_and_identity_header(
    connect: ConnectLocal, visitor_app: tuple[str, Path, str]
) -> None:
    guid = visitor_app[0]
    client = Client(url=connect.url, api_key=connect.api_key)
    content = client.content.get(guid)
    analysts = client.groups.find_one(prefix="analysts")
    assert analysts is not None
    content.update(access_type="acl")
    content.permissions.create(
        principal_guid=analysts["guid"], principal_type="group", role="viewer"
    )

    status, text = greeting(connect, guid)  # alice, the default visitor, is an analyst
    assert status == 200 and "Hello, alice!" in text
    assert greeting(connect, guid, visitor="bob")[0] == 403
    status, _, headers = visit(connect, f"/content/{guid}/", visitor="")
    assert status == 302 and headers["Location"].startswith("/__login__?next=")
    # the API key's owner (what rsconnect's verify step sends) may always look
    status, text = greeting(connect, guid, headers={"Authorization": f"Key {connect.api_key}"})
    assert status == 200 and "Hello, publisher!" in text

    content.update(access_type="logged_in")
    assert "Hello, bob!" in greeting(connect, guid, visitor="bob")[1]
    assert visit(connect, f"/content/{guid}/", visitor="")[0] == 302

    content.update(access_type="all")
    forged = {"RStudio-Connect-Credentials": json.dumps({"user": "mallory", "groups": []})}
    status, text = greeting(connect, guid, visitor="", headers=forged)
    assert status == 200 and "Hello, anonymous!" in text  # a client's own header is dropped
    content.update(access_type="acl")


@pytest.mark.browser
def test_browser_opens_the_deployed_app_as_the_chosen_visitor(
    connect: ConnectLocal, visitor_app: tuple[str, Path, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    from scripts.browser.smoke import AppPage
    from scripts.connect_local.launch import DeployedContent

    guid = visitor_app[0]
    connect.api("PATCH", f"v1/content/{guid}", {"access_type": "logged_in"})
    served = DeployedContent.find(connect, guid)
    browser.delete_all_cookies()
    try:
        page = AppPage(browser, served, label="connect-local-visitor").open()  # type: ignore[arg-type]
        page.check()
        assert page.text("#greeting") == "Hello, alice!"
        # the login form (a GET only fills it in), then its POST with the login token
        browser.get(f"{connect.url}/__login__?user=bob&groups=sales&next=/content/{guid}/")
        browser.find_element(By.NAME, "token").send_keys(connect.login_token)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        page.settle()
        page.check()
        assert page.text("#greeting") == "Hello, bob!"
    finally:
        browser.get(f"{connect.url}/")
        browser.delete_all_cookies()
        connect.api("PATCH", f"v1/content/{guid}", {"access_type": "acl"})


def test_multipart_redeploy_reuses_the_content(
    connect: ConnectLocal, visitor_app: tuple[str, Path, str]
) -> None:
    guid, folder, _ = visitor_app
    result = deploy(
        connect,
        folder,
        "Visitor greeting",
        "--no-verify",
        "--metadata",
        "source=connect-local-test",
    )
    assert deployed_guid(result) == guid  # rsconnect's deployment record found the content
    bundles = connect.api("GET", f"v1/content/{guid}/bundles")
    assert [connect.upload_record(guid, b["id"])["form"] for b in bundles] == ["raw", "multipart"]
    assert bundles[-1]["metadata"] == {"source": "connect-local-test"}
    assert connect.api("GET", f"v1/content/{guid}")["bundle_id"] == bundles[-1]["id"]


def test_failing_build_fails_the_task_and_rsconnect(connect: ConnectLocal, tmp_path: Path) -> None:
    folder = make_bundle_dir(
        tmp_path, "broken-requirements", requirements="connect-local-no-such-package-zz==1.0\n"
    )
    result = deploy(connect, folder, "Broken requirements")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Task exited with status 1" in output
    assert "connect-local-no-such-package-zz" in output and "uv exit" in output
    content = connect.content_by_name("broken_requirements")
    assert content["bundle_id"] is None  # nothing was activated


def test_app_that_cannot_start_fails_with_its_own_error(
    connect: ConnectLocal, tmp_path: Path
) -> None:
    folder = make_bundle_dir(tmp_path, "crashes", app='raise RuntimeError("boom at import")\n')
    result = deploy(connect, folder, "Crashes at import")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "RuntimeError: boom at import" in output
    summary = "the app exited with code 1 before it answered: RuntimeError: boom at import"
    assert f"Error from Connect server: {summary}" in output


def test_injected_build_failure_and_slow_task(faulty_connect: ConnectLocal, tmp_path: Path) -> None:
    faulty_connect.slow_tasks(0.2)
    faulty_connect.fail_builds(1, "injected: the build machine is on fire")
    folder = make_bundle_dir(tmp_path, "injected")
    result = deploy(faulty_connect, folder, "Injected failure")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "slowed down by 0.2s" in output
    assert "injected: the build machine is on fire" in output
