"""Deploying the report builder: the embedded manager pins one process, and
REDIS_URL reaches the content without its password reaching any output.

The rule (``scripts.deploy.job_manager``) is checked on tables, then through
the real deploy tool and rsconnect against a Connect server (the stand-in, or a
real one under ``make test-connect``: there the deploys that grant the app's
groups are not applicable, those names being outside the run's prefix): the app
as committed deploys; with ``max_processes = 2`` it is refused before any
upload; with ``REDIS_URL`` in ``deploy.environment`` two processes are fine.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.catalog import find_app
from scripts.deploy.invoke import DeployRun, run_deploy_tool
from scripts.deploy.job_manager import check_job_manager
from scripts.deploy.settings import SettingsError, load_settings, parse_settings
from scripts.runner.redis_server import RedisServer
from tests.support.connect_server import (
    ConnectServer,
    ConnectServers,
    not_applicable,
    prefixed,
)
from tests.support.redis import fresh_redis_url
from tests.support.workspace import scratch_workspace

APP = "report-builder"
GROUPS = ["sales-emea", "sales-amer", "sales-apac", "admins"]


def with_table(**extra: object) -> dict[str, object]:
    table = {"title": "Report builder", "access_type": "acl", "groups": GROUPS, **extra}
    return {k: v for k, v in table.items() if v is not None}


@pytest.mark.parametrize("processes", [2, 8, None])
def test_the_embedded_manager_refuses_more_than_one_process(processes: int | None) -> None:
    settings = parse_settings(APP, with_table(max_processes=processes))
    with pytest.raises(SettingsError) as refused:
        check_job_manager(find_app(APP), settings)
    said = str(refused.value)
    assert "embedded DiskcacheManager" in said and "would not find the job" in said
    assert "set max_processes = 1" in said and "'REDIS_URL' to deploy.environment" in said
    assert "make worker APP=report-builder" in said


def test_one_process_or_redis_passes_and_apps_without_jobs_are_left_alone() -> None:
    app = find_app(APP)
    check_job_manager(app, load_settings(app))  # as committed: max_processes = 1
    check_job_manager(
        app, parse_settings(APP, with_table(max_processes=4, environment=["REDIS_URL"]))
    )
    hello = find_app("hello")
    check_job_manager(hello, parse_settings("hello", {"max_processes": 4}))


def copy_with_deploy_table(tmp: Path, table: str) -> Path:
    """The app folder as committed, its [tool.monorepo.deploy] replaced by ``table``."""
    folder = tmp / APP
    shutil.copytree(
        find_app(APP).path, folder, ignore=shutil.ignore_patterns("cache", "__pycache__")
    )
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text[: text.index("[tool.monorepo.deploy]")] + table)
    return folder


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectServer]:
    visitor = f"erin:{','.join(GROUPS)}"
    with connect_server.start(
        "report-builder", default_visitor=visitor, environments_dir=environments_dir
    ) as server:
        yield server


def needs_the_apps_groups(connect: ConnectServer) -> None:
    if not connect.is_stand_in:
        not_applicable(f"grants the app's groups ({', '.join(GROUPS)}): outside the run's prefix")


def deploy(connect: ConnectServer, work: Path, workspace: Path | None, **env: str) -> DeployRun:
    """A deploy into ``<work's name, prefixed>-report-builder``."""
    args = ["--workspace", str(workspace)] if workspace is not None else []
    settings = {"NAMESPACE": prefixed(work.name), "DEPLOY_RETRY_DELAY": "0.2", **env}
    return run_deploy_tool(connect.url, connect.api_key, work, *args, APP, env=settings)


def everything_written(run: DeployRun, work: Path) -> str:
    logs = [
        p.read_text(errors="replace")
        for p in work.rglob("*")
        if p.is_file() and p.suffix in {".log", ".json", ".txt"}
    ]
    return run.output + json.dumps(run.report) + "".join(logs)


@pytest.mark.slow
def test_the_stand_in_deploys_it_on_one_process(connect: ConnectServer, tmp_path: Path) -> None:
    needs_the_apps_groups(connect)
    run = deploy(connect, tmp_path / "committed", None)
    assert run.result.returncode == 0, run.explain()
    content = connect.content_by_name(f"{prefixed('committed')}-{APP}")
    assert content["max_processes"] == 1


@pytest.mark.slow
def test_two_processes_on_the_embedded_manager_are_refused_before_upload(
    connect: ConnectServer, tmp_path: Path
) -> None:
    folder = copy_with_deploy_table(
        tmp_path, '[tool.monorepo.deploy]\naccess_type = "acl"\nmax_processes = 2\n'
    )
    workspace = scratch_workspace(tmp_path / "ws", {APP: folder})
    run = deploy(connect, tmp_path / "refused", workspace)
    assert run.result.returncode == 1, run.explain()
    error = run.by_app()[APP]["error"]
    assert "deploy.max_processes is 2" in error and "set max_processes = 1" in error
    assert connect.api("GET", f"v1/content?name={prefixed('refused')}-{APP}") == []  # nothing


@pytest.mark.slow
@pytest.mark.redis
def test_redis_url_reaches_the_content_and_its_password_no_output(
    connect: ConnectServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    table = (
        '[tool.monorepo.deploy]\naccess_type = "acl"\nmax_processes = 2\n'
        f'environment = ["REDIS_URL"]\ngroups = {json.dumps(GROUPS)}\n'
    )
    needs_the_apps_groups(connect)
    workspace = scratch_workspace(tmp_path / "ws", {APP: copy_with_deploy_table(tmp_path, table)})
    url = fresh_redis_url(redis_server)
    run = deploy(connect, tmp_path / "celery", workspace, REDIS_URL=url)
    assert run.result.returncode == 0, run.explain()
    content = connect.content_by_name(f"{prefixed('celery')}-{APP}")
    assert content["max_processes"] == 2
    assert connect.api("GET", f"v1/content/{content['guid']}/environment") == ["REDIS_URL"]
    assert redis_server.password not in everything_written(run, tmp_path)
    assert "REDIS_URL" in run.output  # the name is said, the value never
