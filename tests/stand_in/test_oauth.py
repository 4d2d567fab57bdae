"""The stand-in's OAuth integrations: the session header the proxy adds, and the
credentials exchange, from inside deployed content, over real HTTP.

The probe app posts the session token Connect's proxy gave it (or a token the
test hands it) to ``v1/oauth/integrations/credentials`` with its own
``CONNECT_API_KEY``, then asks ``v1/user`` with the key it got back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import deploy, deployed_guid, make_bundle_dir

SECRET = "oauth-test-secret"  # --session-token-secret: lets the test sign tokens of its own
PROBE_APP = """\
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import flask
from dash import Dash, html

app = Dash(__name__, title="OAuth probe")
app.layout = html.Div("probe")
API = os.environ["CONNECT_SERVER"].rstrip("/") + "/__api__/"


def call(path, key, data=None):
    request = urllib.request.Request(API + path, data, headers={"Authorization": "Key " + key})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@app.server.route("/probe", methods=["GET", "POST"])
def probe():
    header = flask.request.headers.get("Posit-Connect-User-Session-Token")
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token": flask.request.form.get("subject_token", header or ""),
        "subject_token_type": "urn:posit:connect:user-session-token",
        "requested_token_type": "urn:posit:connect:api-key",
        **{k: v for k, v in flask.request.form.items() if k != "subject_token"},
    }
    status, body = call(
        "v1/oauth/integrations/credentials",
        os.environ["CONNECT_API_KEY"],
        urllib.parse.urlencode(form).encode(),
    )
    result = {"session_token": header, "status": status, "body": body}
    if status == 200:
        result["visitor"] = call("v1/user", body["access_token"])[1]["username"]
    return flask.jsonify(result)
"""
JWT_HEADER = {"alg": "HS256", "typ": "JWT"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(claims: dict[str, Any], secret: str = SECRET) -> str:
    signing_input = ".".join(
        b64(json.dumps(part, separators=(",", ":")).encode()) for part in (JWT_HEADER, claims)
    )
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    with running_connect_local(
        tmp_path_factory.mktemp("oauth") / "state",
        users=["alice:analysts", "bob:sales"],
        environments_dir=environments_dir,
        extra_args=["--session-token-secret", SECRET, "--session-token-ttl", "600"],
    ) as server:
        yield server


def integration(connect: ConnectLocal) -> dict[str, Any]:
    [found] = connect.api("GET", "v1/oauth/integrations")
    return dict(found)


def associate(connect: ConnectLocal, guid: str, integrations: list[dict[str, Any]]) -> None:
    body = [{"oauth_integration_guid": i["guid"]} for i in integrations]
    status, _ = connect.request(
        "PUT", f"__api__/v1/content/{guid}/oauth/integrations/associations", body
    )
    assert status == 204


@pytest.fixture(scope="module")
def probes(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Three deployed probes: 'a' and 'b' (logged_in), 'open' (access all); all associated."""
    folders = tmp_path_factory.mktemp("probes")
    guids = {}
    for name, access_type in (("a", "logged_in"), ("b", "logged_in"), ("open", "all")):
        folder = make_bundle_dir(folders, f"probe-{name}", app=PROBE_APP)
        guids[name] = deployed_guid(deploy(connect, folder, f"OAuth probe {name}"))
        connect.api("PATCH", f"v1/content/{guids[name]}", {"access_type": access_type})
        associate(connect, guids[name], [integration(connect)])
    return guids


def probe(
    connect: ConnectLocal,
    guid: str,
    visitor: str,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(f"{connect.url}/content/{guid}/probe", data, headers or {})
    request.add_header("Cookie", connect.visitor_cookie(visitor))
    with urllib.request.urlopen(request, timeout=120) as response:
        return dict(json.loads(response.read()))


def refusal(result: dict[str, Any]) -> str:
    assert result["status"] == 400, result
    assert set(result["body"]) == {"code", "error", "payload"}, result
    return str(result["body"]["error"])


def test_each_visitor_is_exchanged_for_a_key_of_their_own(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    for visitor in ("alice", "bob"):
        result = probe(connect, probes["a"], visitor)
        assert result["status"] == 200, result
        assert result["visitor"] == visitor
        assert result["body"]["issued_token_type"] == "urn:posit:connect:api-key"
        assert result["body"]["token_type"] == "Key"
        claims = claims_of(result["session_token"])
        assert claims["content_guid"] == probes["a"]
        assert claims["exp"] - claims["iat"] == 600
    # one visitor, one content item: the same token until half its life is gone
    assert (
        probe(connect, probes["a"], "alice")["session_token"]
        == (probe(connect, probes["a"], "alice")["session_token"])
    )
    assert (
        probe(connect, probes["a"], "alice")["session_token"]
        != (probe(connect, probes["b"], "alice")["session_token"])
    )


def test_a_visitor_key_acts_as_the_visitor_only(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    key = probe(connect, probes["a"], "alice")["body"]["access_token"]
    assert connect.api_as(key, "GET", "v1/user")["username"] == "alice"
    status, body = connect.request("POST", "__api__/v1/content", {"name": "by-alice"}, key=key)
    assert status == 403, body  # alice is a viewer: her key cannot publish


def test_a_forged_token_is_refused(connect: ConnectLocal, probes: dict[str, str]) -> None:
    genuine = claims_of(probe(connect, probes["a"], "alice")["session_token"])
    forged = signed({**genuine, "sub": "someone-else"}, secret="not-the-secret")
    assert "signature" in refusal(probe(connect, probes["a"], "alice", {"subject_token": forged}))
    unsigned = "eyJhbGciOiJub25lIn0.e30."  # {"alg": "none"}: no signature at all
    assert "signature" in refusal(probe(connect, probes["a"], "alice", {"subject_token": unsigned}))
    assert "not a user session token" in refusal(
        probe(connect, probes["a"], "alice", {"subject_token": "garbage"})
    )
    tampered = signed({**genuine, "exp": genuine["exp"] + 10_000}, secret="x")
    assert "signature" in refusal(probe(connect, probes["a"], "bob", {"subject_token": tampered}))


def test_an_expired_token_is_refused(connect: ConnectLocal, probes: dict[str, str]) -> None:
    genuine = claims_of(probe(connect, probes["a"], "alice")["session_token"])
    expired = signed({**genuine, "iat": 1, "exp": int(time.time()) - 1})
    assert "expired" in refusal(probe(connect, probes["a"], "alice", {"subject_token": expired}))


def test_a_token_of_another_content_item_is_refused(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    token_of_a = probe(connect, probes["a"], "alice")["session_token"]
    said = refusal(probe(connect, probes["b"], "alice", {"subject_token": token_of_a}))
    assert "another content item" in said


def test_content_open_to_everyone_cannot_act_as_its_visitor(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    anonymous = probe(connect, probes["open"], "")
    assert anonymous["session_token"] is None  # no session to act as
    said = refusal(probe(connect, probes["open"], "alice"))
    assert "access type 'all'" in said


def test_only_associated_content_gets_the_header(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    associate(connect, probes["b"], [])
    try:
        result = probe(connect, probes["b"], "alice")
        assert result["session_token"] is None
        assert "not associated" in refusal(result)
    finally:
        associate(connect, probes["b"], [integration(connect)])
    assert probe(connect, probes["b"], "alice")["status"] == 200


def test_a_client_cannot_send_its_own_session_token(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    forged = signed({"iss": "connect-local", "sub": "x", "content_guid": probes["a"], "exp": 2**40})
    result = probe(
        connect, probes["a"], "alice", headers={"Posit-Connect-User-Session-Token": forged}
    )
    assert result["session_token"] != forged and result["visitor"] == "alice"


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"grant_type": "client_credentials"}, "grant_type"),
        ({"subject_token_type": "urn:posit:connect:content-session-token"}, "subject_token_type"),
        ({"requested_token_type": "urn:ietf:params:oauth:token-type:access_token"}, "api-key"),
        ({"audience": "00000000-0000-4000-8000-000000000000"}, "audience"),
    ],
)
def test_a_malformed_exchange_is_refused(
    connect: ConnectLocal, probes: dict[str, str], form: dict[str, str], said: str
) -> None:
    token = probe(connect, probes["a"], "alice")["session_token"]
    assert said in refusal(probe(connect, probes["a"], "alice", {"subject_token": token, **form}))


def test_only_the_contents_own_key_may_exchange(connect: ConnectLocal) -> None:
    status, body = connect.request("POST", "__api__/v1/oauth/integrations/credentials", None)
    assert status == 403 and "content's own CONNECT_API_KEY" in body["error"]


def test_integrations_and_associations_answer_as_connect(
    connect: ConnectLocal, probes: dict[str, str]
) -> None:
    found = integration(connect)
    assert (found["name"], found["template"], found["auth_type"]) == (
        "Connect API",
        "connect",
        "Visitor API Key",
    )
    [association] = connect.api("GET", f"v1/content/{probes['a']}/oauth/integrations/associations")
    assert association["oauth_integration_guid"] == found["guid"]
    assert association["oauth_integration_template"] == "connect"
    unknown = [{"oauth_integration_guid": "00000000-0000-4000-8000-000000000000"}]
    path = f"__api__/v1/content/{probes['a']}/oauth/integrations/associations"
    assert connect.request("PUT", path, unknown)[0] == 404
    assert connect.request("PUT", path, {"not": "a list"})[0] == 400
