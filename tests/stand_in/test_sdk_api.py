"""posit-sdk 0.17's clients against the stand-in (real client, real HTTP): the calls
the stand-in answers beyond deploys, each with an allowed and a refused role.

Keys (tests/stand_in/conftest.py): the default publisher owns what rsconnect
deploys; bob and carol are publishers, root an administrator, vic a viewer.
"""

from __future__ import annotations

import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from posit.connect import Client
from posit.connect.errors import ClientError

from scripts.connect_local.builder import BUILT_MARKER
from scripts.connect_local.launch import ConnectLocal, running_connect_local
from tests.stand_in.conftest import (
    BOB,
    CAROL,
    KEYED_USERS,
    ROOT,
    VIC,
    deploy,
    deployed_guid,
    make_bundle_dir,
)

APP_REQUIREMENTS = "dash==4.4.1\n"


@pytest.fixture(scope="module")
def connect(
    tmp_path_factory: pytest.TempPathFactory, environments_dir: Path
) -> Iterator[ConnectLocal]:
    state = tmp_path_factory.mktemp("sdk-api") / "state"
    with running_connect_local(
        state, users=KEYED_USERS, environments_dir=environments_dir
    ) as server:
        yield server


@pytest.fixture(scope="module")
def client_as(connect: ConnectLocal) -> Callable[[str], Client]:
    """One client per key, kept: posit-sdk's resources hold their client weakly."""
    clients: dict[str, Client] = {}

    def client(key: str) -> Client:
        return clients.setdefault(key, Client(url=connect.url, api_key=key))

    return client


@pytest.fixture(scope="module")
def deployed(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Dash app deployed once by rsconnect with the default publisher's key, open to
    every signed-in user (so refusals below come from the rule checked, not from
    not seeing it): its guid."""
    folder = make_bundle_dir(
        tmp_path_factory.mktemp("sdk-api-bundle"), "jobs", requirements=APP_REQUIREMENTS
    )
    guid = deployed_guid(deploy(connect, folder, "Jobs and packages"))
    connect.api("PATCH", f"v1/content/{guid}", {"access_type": "logged_in"})
    return guid


def refused(call: Callable[[], Any]) -> int:
    """The HTTP status of a call the stand-in must refuse."""
    with pytest.raises(ClientError) as refusal:
        call()
    return refusal.value.http_status


def visit(connect: ConnectLocal, guid: str) -> int:
    request = urllib.request.Request(f"{connect.url}/content/{guid}/")
    request.add_header("Authorization", f"Key {connect.api_key}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return int(response.status)


def test_a_user_changes_themselves_and_an_administrator_anyone(
    client_as: Callable[[str], Client],
) -> None:
    bob = client_as(BOB).me
    bob.update(first_name="Robert", email="robert@example.com")
    assert client_as(ROOT).users.get(bob["guid"])["first_name"] == "Robert"
    assert refused(lambda: bob.update(user_role="administrator")) == 403
    carol_guid = client_as(CAROL).me["guid"]
    assert refused(lambda: client_as(BOB).users.get(carol_guid).update(last_name="X")) == 403

    carol = client_as(ROOT).users.get(carol_guid)
    carol.update(user_role="viewer")
    assert client_as(CAROL).me["user_role"] == "viewer"
    carol.update(user_role="publisher")
    assert refused(lambda: carol.update(username="bob")) == 409  # taken (code 8)
    assert refused(lambda: carol.update(user_role="owner")) == 400  # no such role (code 112)
    assert client_as(CAROL).me["username"] == "carol"


def test_an_administrator_renames_moves_and_deletes_tags(
    connect: ConnectLocal, client_as: Callable[[str], Client]
) -> None:
    root = client_as(ROOT)
    region = root.tags.create(name="sdk-region")
    north = root.tags.create(name="north", parent=region)
    other = root.tags.create(name="sdk-other")
    shared = connect.api("POST", "v1/content", {"name": "sdk-tagged", "access_type": "all"})
    private = connect.api("POST", "v1/content", {"name": "sdk-tagged-private"})
    for guid in (shared["guid"], private["guid"]):
        client_as(connect.api_key).content.get(guid).tags.add(north)

    assert refused(lambda: client_as(BOB).tags.get(north["id"]).update(name="x")) == 403
    north.update(name="north-east")
    assert root.tags.get(north["id"])["name"] == "north-east"
    assert refused(lambda: region.update(parent=north)) == 400  # not under itself
    assert refused(lambda: north.update(parent_id=str(uuid.uuid4().int))) == 400  # code 157

    seen_by_vic = client_as(VIC).tags.get(north["id"]).content_items.find()
    assert [c["guid"] for c in seen_by_vic] == [shared["guid"]]  # not the private one
    assert len(root.tags.get(north["id"]).content_items.find()) == 2

    north.update(parent=other)
    assert root.tags.get(north["id"])["parent_id"] == other["id"]
    assert refused(lambda: client_as(BOB).tags.get(other["id"]).destroy()) == 403
    other.destroy()  # and north below it
    assert refused(lambda: root.tags.get(north["id"])) == 404
    left = client_as(connect.api_key).content.get(shared["guid"]).tags.find()
    assert [t["name"] for t in left] == ["sdk-region"]  # the tag above stays
    assert root.tags.get(region["id"])["name"] == "sdk-region"


def test_an_administrator_creates_changes_and_deletes_oauth_integrations(
    connect: ConnectLocal, client_as: Callable[[str], Client]
) -> None:
    fields = {"name": "sdk-github", "template": "github", "config": {"client_id": "x"}}
    assert refused(lambda: client_as(BOB).oauth.integrations.create(**fields)) == 403
    assert refused(lambda: client_as(ROOT).oauth.integrations.create(name="x")) == 400
    integration = client_as(ROOT).oauth.integrations.create(description="first", **fields)
    assert client_as(BOB).oauth.integrations.get(integration["guid"])["name"] == "sdk-github"

    mine = connect.api("POST", "v1/content", {"name": "sdk-associated"})["guid"]
    client_as(connect.api_key).content.get(mine).oauth.associations.update(integration["guid"])
    as_bob = client_as(BOB).oauth.integrations.get(integration["guid"])
    assert refused(lambda: as_bob.update(description="mine now")) == 403
    assert refused(as_bob.associations.find) == 403
    [association] = integration.associations.find()
    assert association["app_guid"] == mine

    integration.update(description="second")
    assert client_as(ROOT).oauth.integrations.get(integration["guid"])["description"] == "second"
    assert refused(as_bob.delete) == 403
    integration.delete()
    assert refused(lambda: client_as(ROOT).oauth.integrations.get(integration["guid"])) == 404
    assert client_as(connect.api_key).content.get(mine).oauth.associations.find() == []


def test_there_are_no_oauth_sessions(client_as: Callable[[str], Client]) -> None:
    assert client_as(ROOT).oauth.sessions.find() == []
    assert refused(lambda: client_as(ROOT).oauth.sessions.get(str(uuid.uuid4()))) == 404


def test_execution_environments_are_listed_by_publishers_and_changed_by_administrators(
    client_as: Callable[[str], Client],
) -> None:
    python = {"installations": [{"path": "/opt/python/3.11/bin/python", "version": "3.11.9"}]}
    fields = {"title": "sdk image", "name": "ghcr.io/example/sdk:1", "cluster_name": "Kubernetes"}
    assert refused(lambda: client_as(BOB).environments.create(**fields)) == 403
    assert refused(lambda: client_as(ROOT).environments.create(**fields, matching="some")) == 400
    made = client_as(ROOT).environments.create(**fields, python=python)
    assert made["matching"] == "any" and made["python"] == python

    assert [e["guid"] for e in client_as(BOB).environments] == [made["guid"]]
    assert refused(lambda: list(client_as(VIC).environments)) == 403
    as_bob = client_as(BOB).environments.find(made["guid"])
    assert refused(lambda: as_bob.update(title="mine")) == 403
    made.update(title="renamed", matching="exact")
    assert client_as(BOB).environments.find(made["guid"])["title"] == "renamed"
    assert refused(as_bob.destroy) == 403
    made.destroy()
    assert list(client_as(ROOT).environments) == []


def test_runtime_caches_are_listed_and_removed_by_administrators(tmp_path: Path) -> None:
    environments = tmp_path / "environments"
    for name, version in (("env-a", "3.11.7"), ("env-b", "3.11.7"), ("env-c", "3.12.1")):
        folder = environments / name
        folder.mkdir(parents=True)
        (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion_info = {version}\n")
        (folder / BUILT_MARKER).write_text("built\n")
    with running_connect_local(
        tmp_path / "state", users=KEYED_USERS, environments_dir=environments
    ) as connect:
        root, bob = (Client(url=connect.url, api_key=key) for key in (ROOT, BOB))
        caches = root.system.caches.runtime.find()
        assert [(c["language"], c["version"], c["image_name"]) for c in caches] == [
            ("Python", "3.11.7", "Local"),
            ("Python", "3.12.1", "Local"),
        ]
        assert refused(bob.system.caches.runtime.find) == 403
        assert refused(lambda: bob.system.caches.runtime.destroy(**caches[0])) == 403

        assert caches[0].destroy(dry_run=True) is None
        assert (environments / "env-a").is_dir()
        task = caches[0].destroy(dry_run=False)
        task.wait_for()
        assert task["code"] == 0 and task["finished"]
        assert sorted(p.name for p in environments.iterdir() if not p.name.startswith(".")) == [
            "env-c"
        ]
        unknown = {"language": "Python", "version": "2.7.18", "image_name": "Local"}
        assert refused(lambda: root.system.caches.runtime.destroy(**unknown)) == 404


def test_jobs_list_the_app_process_and_a_kill_order_stops_it(
    connect: ConnectLocal, client_as: Callable[[str], Client], deployed: str
) -> None:
    content = client_as(connect.api_key).content.get(deployed)
    active = [j for j in content.jobs if j["status"] == 0]
    assert [(j["tag"], j["bundle_id"]) for j in active] == [("run_dash_app", content["bundle_id"])]
    [job] = active
    assert refused(lambda: list(client_as(VIC).content.get(deployed).jobs)) == 403
    assert refused(lambda: client_as(BOB).content.get(deployed).jobs.find(job["key"])) == 403

    status, _ = connect.request(
        "DELETE", f"__api__/v1/content/{deployed}/jobs/{job['key']}", key=BOB
    )
    assert status == 403  # bob sees the item but may not change it
    content.jobs.find(job["key"]).destroy()
    ended = content.jobs.find(job["key"])
    assert ended["status"] == 1 and ended["end_time"] is not None
    assert refused(ended.destroy) == 409

    assert visit(connect, deployed) == 200  # the next visit starts a new job
    restarted = [j for j in content.jobs if j["status"] == 0]
    assert len(restarted) == 1 and restarted[0]["key"] != job["key"]


def test_packages_and_lockfile_come_from_the_built_environment(
    connect: ConnectLocal, client_as: Callable[[str], Client], deployed: str
) -> None:
    content = client_as(connect.api_key).content.get(deployed)
    packages = {p["name"]: p for p in content.packages}
    assert packages["dash"]["version"] == "4.4.1" and packages["dash"]["language"] == "python"
    assert [p["name"] for p in content.packages.fetch(name="dash")] == ["dash"]

    everywhere = client_as(ROOT).packages.fetch(name="dash", app_guid=deployed)
    assert [(p["app_guid"], p["version"]) for p in everywhere] == [(deployed, "4.4.1")]
    assert [p["name"] for p in client_as(VIC).packages.fetch(app_guid=deployed)] == list(packages)
    connect.api("PATCH", f"v1/content/{deployed}", {"access_type": "acl"})
    try:  # vic no longer sees the app, nor its packages
        assert list(client_as(VIC).packages.fetch(app_guid=deployed)) == []
        assert refused(lambda: list(client_as(VIC).content.get(deployed).packages)) == 403
    finally:
        connect.api("PATCH", f"v1/content/{deployed}", {"access_type": "logged_in"})

    lockfile = content.get_lockfile()
    assert "dash==4.4.1\n" in lockfile.text
    assert lockfile.generated_by.startswith("connect-local; python=")
    assert lockfile.python_version == ".".join(map(str, sys.version_info[:3]))
    assert refused(lambda: client_as(BOB).content.get(deployed).get_lockfile()) == 403


def test_content_deploy_without_a_bundle_id_activates_the_newest(
    connect: ConnectLocal, client_as: Callable[[str], Client], deployed: str, tmp_path: Path
) -> None:
    content = client_as(connect.api_key).content.get(deployed)
    archive = tmp_path / "bundle.tar.gz"
    content.bundles.get(content["bundle_id"]).download(str(archive))
    newest = content.bundles.create(str(archive))  # uploaded, not deployed
    assert client_as(connect.api_key).content.get(deployed)["bundle_id"] != newest["id"]
    assert refused(client_as(BOB).content.get(deployed).deploy) == 403
    task = content.deploy()
    task.wait_for()
    assert task["code"] == 0, task["output"]
    assert client_as(connect.api_key).content.get(deployed)["bundle_id"] == newest["id"]


def test_a_permission_is_read_changed_and_removed(
    connect: ConnectLocal, client_as: Callable[[str], Client]
) -> None:
    guid = connect.api("POST", "v1/content", {"name": "sdk-permissions"})["guid"]
    content = client_as(connect.api_key).content.get(guid)
    bob = client_as(BOB).me
    permission = content.permissions.create(
        principal_guid=bob["guid"], principal_type="user", role="viewer"
    )
    assert content.permissions.get(permission["id"])["role"] == "viewer"
    as_bob = client_as(BOB).content.get(guid).permissions.get(permission["id"])
    assert refused(lambda: as_bob.update(role="owner")) == 403
    permission.update(role="owner")  # bob may now change the item
    assert client_as(BOB).content.get(guid).permissions.get(permission["id"])["role"] == "owner"
    permission.destroy()
    assert content.permissions.find() == []


def test_vanities_are_listed_for_administrators_only(
    connect: ConnectLocal, client_as: Callable[[str], Client]
) -> None:
    guid = connect.api("POST", "v1/content", {"name": "sdk-vanity"})["guid"]
    client_as(connect.api_key).content.get(guid).vanity = "/sdk-listed/"
    assert ("/sdk-listed/", guid) in [
        (v["path"], v["content_guid"]) for v in client_as(ROOT).vanities.all()
    ]
    assert refused(client_as(connect.api_key).vanities.all) == 403
