"""The deploy tool's rules that need no server: groups, ownership, drift, versions, bundles."""

from __future__ import annotations

import ast
import io
import json
import tarfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.catalog import REPO_ROOT
from scripts.deploy.changes import plan_changes, wanted_fields
from scripts.deploy.content import (
    ABSENT,
    COLLABORATOR,
    OWN,
    ContentError,
    locate,
    resolve_namespace,
)
from scripts.deploy.groups import GroupError, match_group, resolve_groups
from scripts.deploy.preflight import python_mismatch, supports_drafts
from scripts.deploy.report import AppResult, totals_line
from scripts.deploy.settings import PROCESS_SETTINGS, parse_settings
from scripts.deploy.unchanged import archived_files, local_files

ME, OTHER = "guid-me", "guid-other"
SERVER = "https://connect.example.com"


class Item(dict[str, Any]):
    """A content item as posit-sdk gives it: a mapping with permissions."""

    def __init__(self, permissions: list[dict[str, Any]] | None = None, **fields: Any) -> None:
        super().__init__(fields)
        self.permissions = SimpleNamespace(find=lambda: permissions or [])


class FakeContent:
    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.created: list[str] = []

    def find(self, **params: Any) -> list[Item]:  # Connect's filters: name, owner_guid
        return [i for i in self.items if all(i.get(k) == v for k, v in params.items())]

    def create(self, name: str, title: str) -> Item:
        self.created.append(name)
        return Item(guid="new", name=name, owner_guid=ME, title=title)


def fake_client(items: list[Item] = (), groups: list[dict[str, str]] = ()) -> Any:  # type: ignore[assignment]
    def find_groups(prefix: str = "") -> list[dict[str, str]]:
        return [g for g in groups if g["name"].lower().startswith(prefix.lower())]

    return SimpleNamespace(
        content=FakeContent(list(items)), groups=SimpleNamespace(find=find_groups)
    )


def test_another_owners_item_is_never_adopted() -> None:
    theirs = Item(guid="theirs", name="ns-hello", owner_guid=OTHER, access_type="logged_in")
    client = fake_client([theirs])
    settings = parse_settings("hello", {})
    lookup = locate(client, "ns-hello", ME, settings, SERVER, create=True)
    assert lookup.how == "created" and lookup.content is not None
    assert lookup.content["guid"] == "new" and lookup.others == ("theirs",)
    assert "left alone: another user's ns-hello (theirs)" in lookup.describe("ns-hello")


def test_own_item_wins_and_a_dry_run_creates_nothing() -> None:
    mine = Item(guid="mine", name="ns-hello", owner_guid=ME)
    client = fake_client([Item(guid="theirs", name="ns-hello", owner_guid=OTHER), mine])
    settings = parse_settings("hello", {})
    assert locate(client, "ns-hello", ME, settings, SERVER, create=True).how == OWN
    empty = fake_client([Item(guid="theirs", name="ns-hello", owner_guid=OTHER)])
    assert locate(empty, "ns-hello", ME, settings, SERVER, create=False).how == ABSENT
    assert empty.content.created == []


def test_collaborating_needs_the_opt_in_for_this_server_and_a_collaborator_role() -> None:
    role = [{"principal_type": "user", "principal_guid": ME, "role": "owner"}]
    shared = Item(role, guid="shared", name="ns-hello", owner_guid=OTHER)
    opted = parse_settings("hello", {"deploy_as_collaborator_on": [SERVER]})
    lookup = locate(fake_client([shared]), "ns-hello", ME, opted, SERVER, create=True)
    assert (lookup.how, lookup.content["guid"] if lookup.content else "") == (
        COLLABORATOR,
        "shared",
    )
    other_server = locate(fake_client([shared]), "ns-hello", ME, opted, "https://x", create=True)
    assert other_server.how == "created"
    viewer_only = Item(guid="v", name="ns-hello", owner_guid=OTHER)
    with pytest.raises(ContentError, match=r"called 'ns-hello' .* found: none"):
        locate(fake_client([viewer_only]), "ns-hello", ME, opted, SERVER, create=True)
    mine = Item(guid="mine", name="ns-hello", owner_guid=ME)
    with pytest.raises(ContentError, match="found: mine, shared"):
        locate(fake_client([mine, shared]), "ns-hello", ME, opted, SERVER, create=True)


def test_groups_match_exactly_and_several_candidates_are_an_error() -> None:
    groups = [
        {"name": "sales", "guid": "g1"},
        {"name": "Sales", "guid": "g2"},
        {"name": "sales-emea", "guid": "g3"},
        {"name": "sales-emea", "guid": "g4"},
    ]
    assert match_group("sales", groups) == "g1"  # not "Sales", not the prefix's first
    assert match_group("sales-emea", groups) == ["g3", "g4"]
    assert match_group("g2", groups) == "g2"  # by GUID
    client = fake_client(groups=groups)
    assert resolve_groups(client, ("Sales",)) == {"Sales": "g2"}
    with pytest.raises(
        GroupError, match=r"named exactly 'SALES'; candidates: 'sales' \(g1\), 'Sales'"
    ):
        resolve_groups(client, ("SALES",))
    with pytest.raises(GroupError, match=r"'sales-emea' matches 2 groups \(g3, g4\)"):
        resolve_groups(client, ("sales-emea",))


def test_a_typo_d_group_gets_a_suggestion() -> None:
    client = fake_client(groups=[{"name": "sales-amer", "guid": "g1"}])
    with pytest.raises(GroupError, match=r"'sales_amer'; did you mean 'sales-amer'\?"):
        resolve_groups(client, ("sales_amer",))


def test_undeclared_process_settings_go_back_to_the_server_default() -> None:
    settings = parse_settings("demo", {"max_processes": 3})
    fields = wanted_fields(settings)
    assert fields["max_processes"] == 3
    assert all(fields[k] is None for k in PROCESS_SETTINGS if k != "max_processes")
    current = Item(guid="g", title="demo", description="", access_type="acl", min_processes=2)
    current.update(max_processes=3)
    client = SimpleNamespace(get=lambda path: SimpleNamespace(json=lambda: {"path": "/old/"}))
    changes = plan_changes(client, current, settings, {}, {})
    assert changes.patch == {"min_processes": None}  # only what differs
    assert changes.remove_vanity and changes.vanity is None


def test_viewer_groups_are_exactly_those_declared() -> None:
    viewers = [
        {"principal_type": "group", "principal_guid": "keep", "role": "viewer"},
        {"principal_type": "group", "principal_guid": "drop", "role": "viewer"},
        {"principal_type": "group", "principal_guid": "owners", "role": "owner"},
        {"principal_type": "user", "principal_guid": "bob", "role": "viewer"},
    ]
    current = Item(viewers, guid="g", title="demo", description="", access_type="acl")
    settings = parse_settings("demo", {"groups": ["a", "b"], "vanity": "/sales/"})
    client = SimpleNamespace(get=lambda path: SimpleNamespace(json=lambda: {"path": "/sales/"}))
    changes = plan_changes(client, current, settings, {"a": "keep", "b": "new"}, {})
    assert changes.add_viewers == ["new"]
    assert [p["principal_guid"] for p in changes.remove_viewers] == ["drop"]
    assert changes.vanity is None and not changes.remove_vanity  # already set


def test_draft_deploys_need_2025_06() -> None:
    assert supports_drafts("2025.06.0") and supports_drafts("2025.10.1")
    assert not supports_drafts("2025.05.0") and not supports_drafts("hidden")


def test_python_versions_are_compared_with_the_bundle() -> None:
    assert python_mismatch("3.11", ("3.11.7", "3.12.1")) is None
    assert python_mismatch("3.11", None) is None  # the server does not say
    message = python_mismatch("3.13", ("3.11.7",))
    assert message is not None and "Python 3.13" in message and "3.11.7" in message


def test_a_bundle_is_compared_by_the_files_its_manifest_lists(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("app = 1\n")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"app.py": {}}}))
    local = local_files(tmp_path)
    assert local == {"app.py": b"app = 1\n"}  # the manifest is the tooling's, not compared

    def tarball(members: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    manifest = json.dumps({"files": {"app.py": {}, "manifest.json": {}}}).encode()
    same = {"manifest.json": manifest, "app.py": b"app = 1\n", "server-added.txt": b"x"}
    assert archived_files(tarball(same)) == local
    assert archived_files(tarball({**same, "app.py": b"app = 2\n"})) != local
    removed = json.dumps({"files": {"app.py": {}, "old.py": {}}}).encode()
    assert archived_files(tarball({**same, "manifest.json": removed, "old.py": b""})) != local


def test_totals_line() -> None:
    results = [
        AppResult("a", "updated", files=10, bundle_bytes=2048, steps={"upload": 2.0, "find": 0.5}),
        AppResult("b", "unchanged", files=5, bundle_bytes=1024),
    ]
    assert totals_line(results, 3.0) == (
        "2 app(s): 1 unchanged, 1 updated; 15 files, 3 KiB in bundles; 3.0 s"
    )
    assert results[0].tool_seconds == 0.5  # upload (rsconnect + server build) excluded


def test_the_resolve_namespace_is_the_workspace_project_name(tmp_path: Path) -> None:
    assert resolve_namespace(None, {}, REPO_ROOT) == "dash-connect-monorepo"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "team-dash"\n')
    assert resolve_namespace(None, {}, tmp_path) == "team-dash"  # whatever the folder is called
    assert resolve_namespace(None, {"NAMESPACE": "env"}, tmp_path) == "env"
    assert resolve_namespace("flag", {"NAMESPACE": "env"}, tmp_path) == "flag"


def test_no_function_of_the_tooling_or_connectkit_is_over_60_lines() -> None:
    for path in [*(REPO_ROOT / "scripts").rglob("*.py"), *(REPO_ROOT / "shared").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 60, f"{path.name}:{node.name} is {length} lines"


def test_a_dry_run_keeps_its_report_apart_from_the_real_one() -> None:
    from scripts.deploy.cli import Run, build_parser
    from scripts.deploy.progress import Progress
    from scripts.deploy.report import DRY_RUN_REPORT_PATH, REPORT_PATH

    def report_path(environ: dict[str, str], *argv: str) -> Path:
        args = build_parser(environ).parse_args(list(argv))
        return Run(args, environ, 1, [], {}, None, Progress(None), 0.0, "").report_path

    assert report_path({}) == REPORT_PATH
    assert report_path({"DRY_RUN": "1"}) == DRY_RUN_REPORT_PATH != REPORT_PATH
    assert report_path({"DRY_RUN": "1"}, "--report", "/tmp/r.json") == Path("/tmp/r.json")


def test_rsconnect_output_goes_to_the_log_and_to_the_screen_only_when_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts.deploy.progress import Progress
    from scripts.deploy.target import Target

    target = Target("https://c", "secret-key")
    quiet = Progress(target, tmp_path, verbose=False)
    quiet.tool_output("hello")("Building Python environment with secret-key")
    assert capsys.readouterr().out == ""
    assert (tmp_path / "hello.log").read_text() == "Building Python environment with ***\n"
    loud = Progress(target, tmp_path, verbose=True)
    loud.tool_output("hello")("Activating")
    assert capsys.readouterr().out == "[hello] rsconnect: Activating\n"
