"""Which server, the key kept out of argv and output, and what counts as transient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.deploy.retry import RetryPolicy, is_transient_cli_failure
from scripts.deploy.target import Target, TargetError, redact, resolve_target

KEY = "s3cr3t-key-value"


def test_env_server_and_key() -> None:
    target = resolve_target({"CONNECT_SERVER": "https://c.example.com/", "CONNECT_API_KEY": KEY})
    assert target == Target("https://c.example.com", KEY)
    assert KEY not in repr(target)
    assert target.rsconnect_args() == []  # the key travels in the child's environment
    env = target.child_environment({"PATH": "/bin", "CONNECT_SERVER": "old"})
    assert env == {
        "PATH": "/bin",
        "CONNECT_SERVER": "https://c.example.com",
        "CONNECT_API_KEY": KEY,
    }


def test_nothing_configured_is_none() -> None:
    assert resolve_target({}) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:3939", "http://localhost:1", "http://[::1]:2"])
def test_plain_http_is_accepted_on_loopback_only(url: str) -> None:
    assert resolve_target({"CONNECT_SERVER": url, "CONNECT_API_KEY": KEY}) is not None


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CONNECT_SERVER": "https://c"}, "neither CONNECT_API_KEY nor an identity token"),
        ({"CONNECT_SERVER": "http://c.example.com", "CONNECT_API_KEY": KEY}, "plain http"),
        ({"CONNECT_SERVER": "http://10.0.0.1:3939", "CONNECT_API_KEY": KEY}, "plain http"),
        ({"CONNECT_IDENTITY_TOKEN": "t", "CONNECT_IDENTITY_TOKEN_FILE": "f"}, "set one of"),
        ({"SERVER": "prod", "CONNECT_IDENTITY_TOKEN": "t"}, "needs CONNECT_SERVER"),
        ({"CONNECT_API_KEY": KEY}, "CONNECT_SERVER is not"),
        ({"CONNECT_SERVER": "c.example.com", "CONNECT_API_KEY": KEY}, "expected a URL"),
        ({"SERVER": "prod", "CONNECT_SERVER": "https://c"}, "use one of them"),
    ],
)
def test_half_configured_is_an_error(environ: dict[str, str], message: str) -> None:
    with pytest.raises(TargetError, match=message):
        resolve_target(environ)


def test_nickname_from_rsconnects_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    store = tmp_path / "rsconnect-python" / "servers.json"
    store.parent.mkdir()
    store.write_text(json.dumps({"prod": {"name": "prod", "url": "https://p/", "api_key": KEY}}))
    target = resolve_target({"SERVER": "prod"})
    assert target == Target("https://p", KEY, nickname="prod")
    assert target.rsconnect_args() == ["--name", "prod"]
    assert "CONNECT_API_KEY" not in target.child_environment({"CONNECT_API_KEY": "x"})
    with pytest.raises(
        TargetError, match=r"'staging' is not a saved rsconnect server; known: prod"
    ):
        resolve_target({"SERVER": "staging"})


def test_redaction() -> None:
    assert redact(f"Authorization: Key {KEY}", KEY) == "Authorization: Key ***"
    assert redact("nothing", "") == "nothing"


@pytest.mark.parametrize(
    ("output", "transient"),
    [
        ("Received an unexpected response from Connect (calling /__api__/x): 503", True),
        ("Received an unexpected response from Connect (calling /__api__/x): 502", True),
        ("Could not connect to http://h:1 (ConnectionResetError)", True),
        ("Could not connect to http://h:1 (RemoteDisconnected)", True),
        ("Connect reported an error (calling /__api__/v1/x): service unavailable (fault)", True),
        ("Connect reported an error (calling /__api__/v1/x): bundle is invalid", False),
        ("Received an unexpected response from Connect (calling /x): 500", False),
        ("Error: Task exited with status 1: build failed", False),
        ("Could not connect to http://h:1 (ConnectionRefusedError)", False),
    ],
)
def test_transient_cli_failures(output: str, transient: bool) -> None:
    assert is_transient_cli_failure(output) is transient


def test_backoff_doubles_and_is_bounded() -> None:
    policy = RetryPolicy(attempts=4, base_delay_s=0.5)
    assert [policy.delay_before(n) for n in (2, 3, 4)] == [0.5, 1.0, 2.0]
    assert policy.for_http().total == 3
    assert RetryPolicy.from_environ({"DEPLOY_RETRIES": "1", "DEPLOY_RETRY_DELAY": "0"}) == (
        RetryPolicy(attempts=2, base_delay_s=0.0)
    )
