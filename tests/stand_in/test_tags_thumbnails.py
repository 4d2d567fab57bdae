"""Tags and thumbnails on the stand-in: who may do what, and Connect's answers."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from scripts.connect_local.options import tags_named_by_apps
from scripts.connect_rules.thumbnails import MAX_THUMBNAIL_BYTES
from tests.stand_in.conftest import KEYED_USERS, ROOT, VIC

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectLocal]:
    with running_connect_local(  # a bare server: the tests make their own tags
        tmp_path_factory.mktemp("tags") / "state",
        users=KEYED_USERS,
        extra_args=["--no-tags-from-apps"],
    ) as server:
        yield server


def raw(
    connect: ConnectLocal, method: str, path: str, data: bytes | None = None, key: str = ""
) -> tuple[int, bytes, str]:
    """(status, body, content type) of an API call with a raw body."""
    request = urllib.request.Request(f"{connect.url}/__api__/{path}", data, method=method)
    request.add_header("Authorization", f"Key {key or connect.api_key}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(), error.headers.get("Content-Type", "")


def new_content(connect: ConnectLocal, name: str) -> str:
    return str(connect.api("POST", "v1/content", {"name": name})["guid"])


def test_only_an_administrator_creates_tags_and_names_are_unique_among_siblings(
    connect: ConnectLocal,
) -> None:
    assert connect.request("POST", "__api__/v1/tags", {"name": "Samples"})[0] == 403
    assert connect.request("POST", "__api__/v1/tags", {"name": "Samples"}, key=VIC)[0] == 403
    samples = connect.api_as(ROOT, "POST", "v1/tags", {"name": "Samples"})
    dash = connect.api_as(ROOT, "POST", "v1/tags", {"name": "Dash", "parent_id": samples["id"]})
    assert dash["parent_id"] == samples["id"]
    status, body = connect.request("POST", "__api__/v1/tags", {"name": "Samples"}, key=ROOT)
    assert (status, body["code"]) == (400, 81) and set(body) == {"code", "error", "payload"}
    other = connect.api_as(ROOT, "POST", "v1/tags", {"name": "Dash"})  # another parent: fine
    assert other["id"] != dash["id"]
    status, body = connect.request("POST", "__api__/v1/tags", {"name": ""}, key=ROOT)
    assert (status, body["code"]) == (400, 78)
    unknown_parent = {"name": "x", "parent_id": "999999"}
    status, body = connect.request("POST", "__api__/v1/tags", unknown_parent, key=ROOT)
    assert (status, body["code"]) == (400, 157)
    names = [t["name"] for t in connect.api("GET", f"v1/tags?parent_id={samples['id']}")]
    assert names == ["Dash"]


def test_tagging_content_adds_and_removes_the_tags_above(connect: ConnectLocal) -> None:
    top = connect.api_as(ROOT, "POST", "v1/tags", {"name": "Teams"})
    leaf = connect.api_as(ROOT, "POST", "v1/tags", {"name": "Data", "parent_id": top["id"]})
    guid = new_content(connect, "tagged")
    connect.api("POST", f"v1/content/{guid}/tags", {"tag_id": leaf["id"]})
    assert {t["id"] for t in connect.api("GET", f"v1/content/{guid}/tags")} == {
        top["id"],
        leaf["id"],
    }
    path = f"__api__/v1/content/{guid}/tags"
    assert connect.request("POST", path, {"tag_id": leaf["id"]})[0] == 409
    assert connect.request("POST", path, {"tag_id": "999999"})[1]["code"] == 158
    assert connect.request("POST", path, {"tag_id": leaf["id"]}, key=VIC)[0] == 403
    assert raw(connect, "DELETE", f"v1/content/{guid}/tags/{leaf['id']}")[0] == 204
    assert connect.api("GET", f"v1/content/{guid}/tags") == []
    assert raw(connect, "DELETE", f"v1/content/{guid}/tags/{leaf['id']}")[0] == 404


def test_a_thumbnail_is_a_png_jpeg_gif_or_svg_image_within_the_size_limit(
    connect: ConnectLocal,
) -> None:
    guid = new_content(connect, "pictured")
    path = f"v1/content/{guid}/thumbnail"
    assert raw(connect, "GET", path)[0] == 404
    assert raw(connect, "PUT", path, PNG)[0] == 204
    assert raw(connect, "GET", path)[1:] == (PNG, "image/png")
    assert raw(connect, "PUT", path, JPEG)[0] == 204
    assert raw(connect, "GET", path)[1:] == (JPEG, "image/jpeg")
    assert raw(connect, "PUT", path, b"<svg xmlns='http://www.w3.org/2000/svg'/>")[0] == 204
    for bad in (b"", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_THUMBNAIL_BYTES):
        status, body, kind = raw(connect, "PUT", path, bad)
        assert status == 400 and kind == "application/json", body[:200]
    assert raw(connect, "PUT", path, PNG, key=VIC)[0] == 403
    assert raw(connect, "DELETE", path)[0] == 204
    assert raw(connect, "GET", path)[0] == 404
    assert raw(connect, "DELETE", path)[0] == 404


def test_deleting_content_forgets_its_tags_thumbnail_and_associations(
    connect: ConnectLocal,
) -> None:
    guid = new_content(connect, "short-lived")
    raw(connect, "PUT", f"v1/content/{guid}/thumbnail", PNG)
    [integration] = connect.api("GET", "v1/oauth/integrations")
    body = [{"oauth_integration_guid": integration["guid"]}]
    connect.request("PUT", f"__api__/v1/content/{guid}/oauth/integrations/associations", body)
    assert raw(connect, "DELETE", f"v1/content/{guid}")[0] == 204
    assert not (connect.state_dir / "content" / guid / "thumbnail").exists()
    state = (Path(connect.state_dir) / "state.json").read_text()
    assert guid not in state


def test_the_stand_in_starts_with_the_tags_the_team_and_apps_name(tmp_path: Path) -> None:
    with running_connect_local(tmp_path / "state") as fresh:
        tags = fresh.api("GET", "v1/tags")
    by_id = {t["id"]: t for t in tags}

    def path(tag: dict[str, object]) -> str:
        parent = by_id.get(str(tag["parent_id"]))
        return str(tag["name"]) if parent is None else f"{path(parent)}/{tag['name']}"

    assert set(tags_named_by_apps()) <= {path(t) for t in tags}
    assert "Samples/Dash" in tags_named_by_apps()
