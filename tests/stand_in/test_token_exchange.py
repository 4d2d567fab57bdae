"""The OIDC token exchange (keyless deploys), through rsconnect's own client code.

Tokens come from a throwaway issuer (tests/support/oidc_issuer.py); the stand-in
gets its JWKS in the trust file. Each forged kind is refused with the OAuth error
rsconnect turns into its message, and no key is minted for it.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rsconnect.exception import RSConnectException
from rsconnect.oauth import exchange_token_for_api_key

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import RSCONNECT
from tests.support.oidc_issuer import PRODUCTION_SUBJECT, LocalIssuer

AUDIENCE = "https://connect.example.test"
KEY_TTL_S = 3


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer()


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer
) -> Iterator[ConnectLocal]:
    folder = tmp_path_factory.mktemp("exchange")
    trust = issuer.trust_file(
        folder / "trust.json",
        [
            {"audience": AUDIENCE, "subject": PRODUCTION_SUBJECT, "service_account": "deployer"},
            {
                "audience": AUDIENCE,
                "subject": "repo:acme/dash-apps:environment:pre*",
                "service_account": "previewer",
            },
        ],
        key_ttl_s=KEY_TTL_S,
    )
    with running_connect_local(folder / "state", extra_args=["--identity-trust", str(trust)]) as c:
        yield c


def user_behind(connect: ConnectLocal, key: str) -> str:
    status, body = connect.request("GET", "__api__/v1/user", key=key)
    assert status == 200, body
    return str(body["username"])


def test_metadata_is_rfc8414_with_the_exchange_grant(connect: ConnectLocal) -> None:
    status, metadata = connect.request("GET", ".well-known/oauth-authorization-server")
    assert status == 200
    assert metadata["token_endpoint"].startswith(connect.url + "/")
    assert "urn:ietf:params:oauth:grant-type:token-exchange" in metadata["grant_types_supported"]


def test_production_subject_gets_a_key_of_the_service_account_that_expires(
    connect: ConnectLocal, issuer: LocalIssuer
) -> None:
    key = exchange_token_for_api_key(connect.url, issuer.token(audience=AUDIENCE))
    assert user_behind(connect, key) == "deployer"
    status, created = connect.request("POST", "__api__/v1/content", {"name": "kx-made"}, key=key)
    assert status == 200 and created["owner_guid"], created
    deadline = time.monotonic() + KEY_TTL_S + 30
    while True:  # the key's lifetime is KEY_TTL_S: wait for the refusal, bounded
        status, body = connect.request("GET", "__api__/v1/user", key=key)
        if status == 401:
            break
        assert time.monotonic() < deadline, f"key still accepted after its lifetime: {body}"
        time.sleep(0.2)
    assert body["code"] == 30


def test_a_subject_pattern_matches_within_one_segment(
    connect: ConnectLocal, issuer: LocalIssuer
) -> None:
    token = issuer.token(audience=AUDIENCE, subject="repo:acme/dash-apps:environment:preview")
    assert user_behind(connect, exchange_token_for_api_key(connect.url, token)) == "previewer"


def _forged(issuer: LocalIssuer, kind: str) -> str:
    if kind == "alg-none":
        return issuer.unsigned_token(audience=AUDIENCE)
    if kind == "unknown-key":
        return issuer.foreign_key_token(audience=AUDIENCE, kid="not-in-jwks")
    if kind == "wrong-signature":  # the right kid, another key
        return issuer.foreign_key_token(audience=AUDIENCE)
    if kind == "pull-request-subject":
        return issuer.token(audience=AUDIENCE, subject="repo:acme/dash-apps:pull_request")
    if kind == "pattern-across-segments":  # pre* must not reach past a ':'
        return issuer.token(audience=AUDIENCE, subject="repo:acme/dash-apps:environment:preview:x")
    if kind == "other-audience":
        return issuer.token(audience="https://other.example.test")
    if kind == "expired":
        return issuer.token(audience=AUDIENCE, issued_ago_s=600, lifetime_s=300)
    if kind == "not-yet-valid":
        return issuer.token(audience=AUDIENCE, issued_ago_s=-600)
    if kind == "other-issuer":
        evil = LocalIssuer(issuer="https://evil.example.test", kid=issuer.kid, key=issuer.key)
        return evil.token(audience=AUDIENCE)
    raise AssertionError(kind)


VERIFY = "could not verify"
NO_GRANT = "did not grant access"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("alg-none", VERIFY),
        ("unknown-key", VERIFY),
        ("wrong-signature", VERIFY),
        ("expired", VERIFY),
        ("not-yet-valid", VERIFY),
        ("other-issuer", VERIFY),
        ("pull-request-subject", NO_GRANT),
        ("pattern-across-segments", NO_GRANT),
        ("other-audience", NO_GRANT),
    ],
)
def test_forged_tokens_are_refused_and_mint_nothing(
    connect: ConnectLocal, issuer: LocalIssuer, kind: str, message: str
) -> None:
    before = connect.log_tail(400).count("token exchange:")
    with pytest.raises(RSConnectException, match=message):
        exchange_token_for_api_key(connect.url, _forged(issuer, kind))
    assert connect.log_tail(400).count("token exchange:") == before


def test_the_real_cli_logs_in_with_an_identity_token_file(
    connect: ConnectLocal, issuer: LocalIssuer, tmp_path: Path
) -> None:
    token_file = tmp_path / "id-token"
    token_file.write_text(issuer.token(audience=AUDIENCE))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    result = subprocess.run(
        [RSCONNECT, "login", connect.url, "--name", "kx", "--identity-token-file", str(token_file)],
        capture_output=True,
        text=True,
        env={**env, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "via identity token exchange" in result.stdout


def test_without_a_trust_file_there_is_no_exchange(tmp_path: Path) -> None:
    with running_connect_local(tmp_path / "state") as plain:
        status, _ = plain.request("GET", ".well-known/oauth-authorization-server")
        assert status == 404
        with pytest.raises(RSConnectException, match="does not support OAuth"):
            exchange_token_for_api_key(plain.url, "x.y.z")
