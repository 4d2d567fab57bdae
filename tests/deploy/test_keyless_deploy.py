"""Keyless ``make deploy-all``: an identity token, exchanged first, is the run's only key.

Against the stand-in started with a trust file for a throwaway issuer
(tests/support/oidc_issuer.py): production's subject deploys every app as the
service account; forged tokens stop the run before anything is built or written;
a server without the exchange falls back to ``CONNECT_API_KEY``, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts.catalog import discover_apps
from scripts.connect_local.launch import ConnectLocal, running_connect_local
from scripts.deploy.invoke import DeployRun, run_deploy_tool
from tests.deploy.test_deploy_e2e import HELLO_APP, deployer_environment
from tests.support.oidc_issuer import PRODUCTION_SUBJECT, LocalIssuer
from tests.support.workspace import scratch_workspace

pytestmark = pytest.mark.slow  # every app deployed once

AUDIENCE = "https://connect.keyless.test"
ROOT_KEY = "keyless-root-key"  # an administrator's: sees the service account's content
NAMESPACE = "keyless"


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer()


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer, environments_dir: Path
) -> Iterator[ConnectLocal]:
    folder = tmp_path_factory.mktemp("keyless")
    rule = {"audience": AUDIENCE, "subject": PRODUCTION_SUBJECT, "service_account": "deployer"}
    trust = issuer.trust_file(folder / "trust.json", [rule], key_ttl_s=3600)
    with running_connect_local(
        folder / "state",
        environments_dir=environments_dir,
        users=[("root", "administrator", ROOT_KEY)],
        extra_args=["--identity-trust", str(trust), "--groups-from-apps"],
    ) as server:
        yield server


def keyless_deploy(url: str, work: Path, token: str, *args: str, key: str = "") -> DeployRun:
    """The deploy tool with ``token`` in a file, as deploy.yml hands it over."""
    work.mkdir(parents=True, exist_ok=True)
    token_file = work / "identity-token"
    token_file.write_text(token)
    env = {
        "NAMESPACE": NAMESPACE,
        "CONNECT_IDENTITY_TOKEN_FILE": str(token_file),
        **deployer_environment(),
    }
    return run_deploy_tool(url, key, work, *args, env=env)


def test_production_subject_deploys_every_app_as_the_service_account(
    connect: ConnectLocal, issuer: LocalIssuer, tmp_path: Path
) -> None:
    token = issuer.token(audience=AUDIENCE)
    run = keyless_deploy(connect.url, tmp_path, token)
    assert run.result.returncode == 0, run.explain()
    assert "keyless: exchanged the identity token" in run.output
    assert token not in run.output and token.split(".")[2] not in run.output
    deployer = connect.api("GET", "v1/users?prefix=deployer")["results"][0]
    for app in discover_apps():
        found = connect.api_as(ROOT_KEY, "GET", f"v1/content?name={NAMESPACE}-{app.name}")
        assert [c["owner_guid"] for c in found] == [deployer["guid"]], app.name
        assert found[0]["bundle_id"], app.name


FORGED: dict[str, Callable[[LocalIssuer], str]] = {
    "pull-request subject": lambda i: i.token(
        audience=AUDIENCE, subject="repo:acme/dash-apps:pull_request"
    ),
    "other audience": lambda i: i.token(audience="https://other.example.test"),
    "expired": lambda i: i.token(audience=AUDIENCE, issued_ago_s=900, lifetime_s=300),
    "alg none": lambda i: i.unsigned_token(audience=AUDIENCE),
    "unknown key": lambda i: i.foreign_key_token(audience=AUDIENCE, kid="not-in-jwks"),
}


@pytest.mark.parametrize("kind", sorted(FORGED))
def test_a_forged_token_stops_the_run_with_nothing_written(
    connect: ConnectLocal, issuer: LocalIssuer, tmp_path: Path, kind: str
) -> None:
    before = connect.api_as(ROOT_KEY, "GET", "v1/content")
    run = keyless_deploy(connect.url, tmp_path, FORGED[kind](issuer))
    assert run.result.returncode == 2, run.explain()
    assert "the identity token was refused" in run.result.stderr
    assert not run.bundles_dir.exists() and run.report is None
    assert connect.api_as(ROOT_KEY, "GET", "v1/content") == before


def test_a_server_without_the_exchange_falls_back_to_the_key_saying_so(
    tmp_path: Path, issuer: LocalIssuer, environments_dir: Path
) -> None:
    workspace = scratch_workspace(tmp_path / "ws", {"tiny": {"app.py": HELLO_APP}})
    with running_connect_local(tmp_path / "state", environments_dir=environments_dir) as plain:
        token = issuer.token(audience=AUDIENCE)
        without_key = keyless_deploy(
            plain.url, tmp_path / "a", token, "--workspace", str(workspace)
        )
        assert without_key.result.returncode == 2, without_key.explain()
        assert "has no OIDC token exchange" in without_key.result.stderr
        assert "CONNECT_API_KEY is not set" in without_key.result.stderr
        run = keyless_deploy(
            plain.url, tmp_path / "b", token, "--workspace", str(workspace), key=plain.api_key
        )
    assert run.result.returncode == 0, run.explain()
    assert "falling back to CONNECT_API_KEY" in run.output
