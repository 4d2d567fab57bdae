"""connectkit.oauth: whose session token is read (and where), how a client is
cached for the token's life, and every refusal explained without the token."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask
import pytest
import requests
from connectkit import VisitorAccessError
from connectkit.credentials import credentials_header
from connectkit.identity import init_identity
from connectkit.oauth import (
    ENVIRON_KEY,
    OAuthSettings,
    VisitorAccessReason,
    VisitorClients,
    current_session_token,
    oauth_settings,
    token_expiry,
)
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV
from posit.connect.errors import ClientError

CONFIGURED = OAuthSettings(server="http://connect.invalid", api_key="content-key")
TRUSTED = {TRUSTED_FRONTEND_ENV: LOCAL_RUNNER}


def jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token (the signature is Connect's business, not the app's)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Exchanges:
    """A stand-in for posit-sdk's exchange: records tokens, answers a client or raises."""

    def __init__(self, error: Exception | None = None) -> None:
        self.tokens: list[str] = []
        self.error = error

    def __call__(self, content_client: Any, token: str) -> Any:
        self.tokens.append(token)
        if self.error is not None:
            raise self.error
        return requests_client(f"client-for-{len(self.tokens)}")


class requests_client:
    def __init__(self, name: str) -> None:
        self.name = name
        self.session = requests.Session()


@contextmanager
def request(
    environ: dict[str, str], *, user: str | None = "alice", token: str | None = None
) -> Iterator[None]:
    server = flask.Flask("oauth-test")
    init_identity(server, environ)
    headers = {}
    if user is not None:
        headers["RStudio-Connect-Credentials"] = credentials_header(user, [])
    with server.test_request_context("/", headers=headers) as context:
        if token is not None:
            context.request.environ[ENVIRON_KEY] = token
        yield


def clients(exchanges: Exchanges, clock: Clock, settings: OAuthSettings = CONFIGURED) -> Any:
    visitor_clients = VisitorClients(settings, exchange=exchanges, clock=clock)
    visitor_clients._content_client = object()  # never used by the fake exchange
    return visitor_clients


def test_settings_come_from_the_environment_connect_gives_content() -> None:
    settings = oauth_settings({"CONNECT_SERVER": " https://c.example/ ", "CONNECT_API_KEY": "k"})
    assert (settings.server, settings.api_key, settings.configured) == (
        "https://c.example/",
        "k",
        True,
    )
    assert not oauth_settings({"CONNECT_SERVER": "https://c.example/"}).configured


def test_a_client_is_exchanged_once_per_token_and_kept_until_it_expires() -> None:
    clock, exchanges = Clock(), Exchanges()
    found = clients(exchanges, clock)
    alice = jwt({"sub": "alice", "exp": clock.now + 600})
    bob = jwt({"sub": "bob", "exp": clock.now + 600})
    with request(TRUSTED, token=alice):
        first = found.current()
        assert found.current() is first  # cached: no second exchange
    with request(TRUSTED, user="bob", token=bob):
        assert found.current() is not first  # another token, another client
    assert exchanges.tokens == [alice, bob]
    clock.now += 601  # alice's token has expired: never reuse its client
    with request(TRUSTED, token=alice):
        assert found.current() is not first
    assert exchanges.tokens == [alice, bob, alice]


def test_a_token_without_expiry_is_kept_at_most_the_maximum_life() -> None:
    clock, exchanges = Clock(), Exchanges()
    found = clients(exchanges, clock, OAuthSettings("http://c.invalid", "k", max_life_s=60))
    token = jwt({"sub": "alice"})
    found.for_token(token)
    clock.now += 59
    found.for_token(token)
    clock.now += 2
    found.for_token(token)
    assert exchanges.tokens == [token, token]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (jwt({"exp": 1234}), 1234.0),
        (jwt({"exp": 12.5}), 12.5),
        (jwt({"exp": True}), None),
        (jwt({"exp": "1234"}), None),
        (jwt({}), None),
        ("not-a-jwt", None),
        ("a.%%%.c", None),
        ("a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c", None),
    ],
)
def test_token_expiry_reads_the_exp_claim_or_nothing(token: str, expected: float | None) -> None:
    assert token_expiry(token) == expected


def reason_of(found: Any) -> tuple[VisitorAccessReason, str]:
    with pytest.raises(VisitorAccessError) as raised:
        found.current()
    return raised.value.reason, raised.value.message


def test_no_token_is_read_where_connects_headers_are_not_believed() -> None:
    exchanges = Exchanges()
    token = jwt({"sub": "alice"})
    with request({}, token=token):  # a plain WSGI server: anyone could send the header
        assert current_session_token() is None
        assert reason_of(clients(exchanges, Clock()))[0] is VisitorAccessReason.NOT_ON_CONNECT
    with request({"RSTUDIO_PRODUCT": "CONNECT"}, token=token):
        assert current_session_token() == token
    assert exchanges.tokens == []


@pytest.mark.parametrize(
    ("user", "settings", "reason"),
    [
        (None, CONFIGURED, VisitorAccessReason.NOT_SIGNED_IN),
        ("alice", CONFIGURED, VisitorAccessReason.NO_SESSION_TOKEN),
        ("alice", OAuthSettings(), VisitorAccessReason.NOT_ON_CONNECT),  # no CONNECT_SERVER/KEY
    ],
)
def test_without_a_token_the_reason_says_why(
    user: str | None, settings: OAuthSettings, reason: VisitorAccessReason
) -> None:
    with request(TRUSTED, user=user):
        assert reason_of(clients(Exchanges(), Clock(), settings))[0] is reason


@pytest.mark.parametrize(
    ("error", "reason", "said"),
    [
        (
            ClientError(9, "subject_token EXPIRED-TOKEN has expired", 400, "Bad Request"),
            VisitorAccessReason.REFUSED,
            "HTTP 400, code 9",
        ),
        (requests.ConnectionError("refused"), VisitorAccessReason.UNREACHABLE, "did not answer"),
        (
            RuntimeError("This API is not available in Connect version 2024.05.0."),
            VisitorAccessReason.SERVER_TOO_OLD,
            "2024.05.0",
        ),
        (ValueError("Unable to retrieve token."), VisitorAccessReason.REFUSED, "without a key"),
    ],
)
def test_a_failed_exchange_is_explained_without_the_token(
    error: Exception, reason: VisitorAccessReason, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = jwt({"sub": "alice", "jti": "EXPIRED-TOKEN"})
    if isinstance(error, ClientError):  # a server that echoes the token back
        error.error_message = error.error_message.replace("EXPIRED-TOKEN", token)
    exchanges = Exchanges(error)
    with caplog.at_level(logging.WARNING), request(TRUSTED, token=token):
        got, message = reason_of(clients(exchanges, Clock()))
    assert got is reason and said in message
    assert token not in message and token not in caplog.text
    assert "OAuth session-token exchange failed" in caplog.text


@pytest.mark.parametrize("token", ["not a jwt", "a.b", "x" * 9000 + ".b.c", "a.b.c\n"])
def test_a_malformed_token_is_refused_without_asking_connect(token: str) -> None:
    exchanges = Exchanges()
    with pytest.raises(VisitorAccessError) as raised:
        clients(exchanges, Clock()).for_token(token)
    assert raised.value.reason is VisitorAccessReason.REFUSED
    assert exchanges.tokens == []


def test_an_unexpected_bug_in_the_exchange_is_not_hidden_as_a_refusal() -> None:
    with pytest.raises(KeyError):
        clients(Exchanges(KeyError("bug")), Clock()).for_token(jwt({"sub": "alice"}))


def test_the_cache_keeps_at_most_max_entries() -> None:
    clock, exchanges = Clock(), Exchanges()
    found = clients(exchanges, clock, OAuthSettings("http://c.invalid", "k", max_entries=2))
    tokens = [jwt({"sub": f"user-{i}", "exp": clock.now + 600}) for i in range(3)]
    for token in tokens:
        found.for_token(token)
    found.for_token(tokens[2])  # still cached
    found.for_token(tokens[0])  # the oldest was dropped
    assert exchanges.tokens == [*tokens, tokens[0]]


@pytest.mark.parametrize("reason", list(VisitorAccessReason))
def test_every_reason_has_advice_naming_the_app_where_it_helps(reason: VisitorAccessReason) -> None:
    from connectkit import visitor_access_advice

    what, what_to_do = visitor_access_advice(VisitorAccessError(reason, "it failed"), "usage")
    assert what == "It failed." and what_to_do and "{app}" not in what_to_do
    if reason is VisitorAccessReason.NOT_ON_CONNECT:
        assert "make deploy APP=usage" in what_to_do
