"""Replaying recordings with Locust: bounded runs, identities, failures found.

Each run is short and capped (a few visitors, one or two visits); Locust runs
in its own processes (it patches the standard library with gevent).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.catalog import REPO_ROOT, AppInfo, discover_apps, find_app, smoke_visitor
from scripts.loadtest.replay import Plan, TargetError, check_target, run_locust, served_target
from scripts.loadtest.session import Session, session_path

pytestmark = pytest.mark.slow  # servers and Locust runs: started first by make test

BROKEN = Path(__file__).parent / "broken_apps"
HELLO = find_app("hello")
APPS = discover_apps()
REPLAY = (sys.executable, "-m", "scripts.loadtest.replay")


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_every_app_has_a_recording_without_identity(app: AppInfo) -> None:
    session = Session.load(session_path(app))
    assert session.app == app.name
    assert any(step.path == "" for step in session.steps), "the page itself is replayed"
    text = session_path(app).read_text()
    visitor = smoke_visitor(app)
    assert not visitor.user or visitor.user not in text
    assert "Authorization" not in text and "/content/" not in text


def test_hello_replays_cleanly_with_the_same_totals_on_two_workers() -> None:
    session = Session.load(session_path(HELLO))
    plan = Plan(users=3, visits=2, pause_s=0.0, duration_s=120)
    with served_target(HELLO, plan.users) as (url, keys):
        alone = run_locust(url, session_path(HELLO), keys, plan)
        shared = run_locust(url, session_path(HELLO), keys, Plan(**{**plan.__dict__, "workers": 2}))
    every_visit = plan.users * plan.visits * len(session.steps)
    assert (alone.requests, alone.failures) == (every_visit, 0), alone.table()
    assert (shared.requests, shared.failures) == (every_visit, 0), shared.output[-2000:]
    assert alone.per_kind.keys() == shared.per_kind.keys() == {"page", "callback"}
    for kind in alone.per_kind:
        assert alone.per_kind[kind]["requests"] == shared.per_kind[kind]["requests"]


@pytest.mark.parametrize(
    ("how", "evidence"),
    [("raise", "HTTP 500, recorded 200"), ("error-card", "answer lacks")],
)
def test_a_broken_app_reports_failures(how: str, evidence: str) -> None:
    session = Session.load(session_path(HELLO))
    callbacks = sum(1 for step in session.steps if step.kind == "callback")
    plan = Plan(users=2, visits=1, pause_s=0.0, duration_s=120)
    broken = AppInfo("broken-hello", BROKEN / "broken-hello")
    with served_target(broken, plan.users, env={"BROKEN_HOW": how}) as (url, keys):
        summary = run_locust(url, session_path(HELLO), keys, plan)
    assert summary.failures == plan.users * plan.visits * callbacks > 0
    assert summary.per_kind["page"]["failures"] == 0
    assert any(evidence in error["error"] for error in summary.errors), summary.errors


def test_the_target_must_answer() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]  # bound, never listening: nothing answers
        with pytest.raises(TargetError, match="nothing answers at"):
            check_target(f"http://127.0.0.1:{port}/content/x/", ["k"])


def test_a_refused_key_is_named_before_the_load() -> None:
    with served_target(HELLO, 1) as (url, keys):
        check_target(url, keys)
        with pytest.raises(TargetError, match=r"refuses key #2 of 2 with HTTP 401"):
            check_target(url, [*keys, "not-a-key-of-this-server"])


def test_make_loadtest_prints_a_summary_and_exits_0() -> None:
    result = subprocess.run(
        [*REPLAY, "hello", "--users", "2", "--visits", "1", "--pause", "0", "--duration", "60"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 failed" in result.stdout and "callback" in result.stdout


def test_an_app_without_a_recording_says_how_to_make_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [*REPLAY, "hello", "--session", str(tmp_path / "none.json")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "make record APP=" in result.stderr
    assert "Traceback" not in result.stderr
