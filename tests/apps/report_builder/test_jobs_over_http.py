"""Jobs on both managers, driven over HTTP as the page drives them: every visitor
gets their own report (identical inputs, a forged region, a closed tab), a
cancel stops the work itself, and a job lost with its worker is reported lost.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil
import pytest

from scripts.perf.job_client import JobRun, PageSession
from tests.apps.report_builder.sites import (
    CANCEL,
    LOST_AFTER_S,
    REGION_OF,
    Site,
    job_id,
    job_site,
    report_body,
)
from tests.support.redis import active_tasks

pytestmark = pytest.mark.slow
MANAGERS = ["diskcache", pytest.param("celery", marks=pytest.mark.redis)]
JOB_SECONDS = "40"  # the largest report; 1,000 paths take 2 s, 20,000 take 40 s
QUICK, LONG = 1_000, 20_000
POLL_S = 0.25
DEADLINE_S = 60.0  # a failure bound, not a speed target


@pytest.fixture(scope="module", params=MANAGERS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    redis = request.getfixturevalue("redis_server") if request.param == "celery" else None
    folder = tmp_path_factory.mktemp(f"site-{request.param}")
    with job_site(request.param, folder, redis, JOB_SECONDS) as served:
        yield served


def outcome(run: JobRun) -> dict[str, Any]:
    assert run.response is not None, "the job ended without a result"
    return run.response["outcome"]["data"]


def assert_own_report(visitor: str, result: dict[str, Any]) -> None:
    assert result["status"] == "done", result
    assert result["visitor"] == visitor
    assert {row["region"] for row in result["rows"]} == {REGION_OF[visitor]}


def test_identical_inputs_from_two_regions_get_their_own_reports(site: Site) -> None:
    body = report_body(QUICK)  # every region asked for: a forged widening
    with ThreadPoolExecutor(2) as pool:
        runs = {
            v: pool.submit(PageSession(site.url(v)).run, body, POLL_S, DEADLINE_S)
            for v in REGION_OF
        }
        for visitor, run in runs.items():
            assert_own_report(visitor, outcome(run.result()))
            assert run.result().progress, "no progress seen"


def test_a_tab_closed_mid_job_leaves_nothing_for_the_next_visitor(site: Site) -> None:
    body = report_body(QUICK)
    closed = PageSession(site.url("erin"))
    _, erins_handles = closed.start(body)  # then the tab closes: nobody polls
    amos = PageSession(site.url("amos")).run(body, POLL_S, DEADLINE_S)
    assert_own_report("amos", outcome(amos))
    # Erin's report waited, unread, in its own slot: it is still hers.
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        _, answer = closed.poll(body, erins_handles)
        if answer and "response" in answer:
            assert_own_report("erin", answer["response"]["outcome"]["data"])
            return
        time.sleep(POLL_S)
    raise AssertionError(f"Erin's report never came:\n{site.logs()}")


def progress_seen(session: PageSession, body: dict[str, Any], handles: dict[str, str]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        _, answer = session.poll(body, handles)
        if answer and answer.get("progress", {}).get("progress.value", 0) >= 2:
            return
        time.sleep(POLL_S)
    raise AssertionError("the job never got going")


def is_computing(site: Site, job: str) -> bool:
    """Whether the job still runs: its process, or a task a Celery worker holds."""
    if site.manager == "diskcache":
        try:
            return psutil.Process(int(job)).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return job in active_tasks(site.env["REDIS_URL"])


def poll_to_end(session: PageSession, body: dict[str, Any], handles: dict[str, str]) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        _, answer = session.poll(body, handles)
        if answer is None or "response" in answer:
            return answer
        time.sleep(POLL_S)
    raise AssertionError("the page would poll forever")


def test_cancel_stops_the_work_itself(site: Site) -> None:
    session, body = PageSession(site.url("erin")), report_body(LONG)
    _, handles = session.start(body)
    progress_seen(session, body, handles)
    assert is_computing(site, job_id(handles))
    session.cancel(CANCEL, handles)
    deadline = time.monotonic() + DEADLINE_S
    while is_computing(site, job_id(handles)):
        assert time.monotonic() < deadline, f"still computing after the cancel:\n{site.logs()}"
        time.sleep(POLL_S)
    answer = poll_to_end(session, body, handles)
    assert answer["response"]["outcome"]["data"] == {"status": "cancelled"}


def test_a_job_lost_with_its_worker_is_reported_and_can_be_restarted(site: Site) -> None:
    session, body = PageSession(site.url("amos")), report_body(LONG)
    _, handles = session.start(body)
    progress_seen(session, body, handles)
    if site.manager == "celery":
        site.kill_workers()  # every worker, as hosts going down
    else:
        psutil.Process(int(job_id(handles))).kill()  # the job's process
    answer = poll_to_end(session, body, handles)
    lost = answer["response"]["outcome"]["data"]
    assert lost["status"] == "lost", lost
    if site.manager == "celery":
        assert (
            f"no progress for {LOST_AFTER_S}" in lost["reason"] or "no progress" in lost["reason"]
        )
        site.start_worker()
    again = PageSession(site.url("amos")).run(report_body(QUICK), POLL_S, DEADLINE_S)
    assert_own_report("amos", outcome(again))


# Only Celery sends jobs through Redis (the embedded manager forks): this test
# takes the Celery site alone, rather than skipping the embedded one.
@pytest.mark.parametrize("site", ["celery"], indirect=True)
def test_no_request_header_reaches_the_broker(site: Site) -> None:
    import redis

    seen: list[str] = []
    with redis.Redis.from_url(site.env["REDIS_URL"]).monitor() as monitor:
        collector = ThreadPoolExecutor(1)
        done = collector.submit(PageSession(site.url("erin")).run, report_body(QUICK), POLL_S)
        for command in monitor.listen():  # every command Redis runs, the task's message too
            seen.append(str(command["command"]))
            if done.done():
                break
        assert_own_report("erin", outcome(done.result()))
        collector.shutdown()
    said = "\n".join(seen)
    assert "background_callback_" in said  # the task message went through here
    assert "Connect-Credentials" not in said and "User-Agent" not in said  # no request header


def replayed_by(site: Site, visitor: str, owner: PageSession) -> PageSession:
    """Another visitor's page, sending the owner's whole query (its endId too)."""
    replayer = PageSession(site.url(visitor))
    replayer.end_id = owner.end_id
    return replayer


def test_a_replayed_poll_or_cancel_from_another_visitor_gets_nothing(site: Site) -> None:
    erin, body = PageSession(site.url("erin")), report_body(LONG)
    _, handles = erin.start(body)
    progress_seen(erin, body, handles)
    amos = replayed_by(site, "amos", erin)
    assert amos.poll(body, handles)[1] is None  # what a missing job gets: 204
    amos.cancel(CANCEL, handles)
    progress_seen(erin, body, handles)  # still running, still hers
    assert is_computing(site, job_id(handles))
    erin.cancel(CANCEL, handles)
    answer = poll_to_end(erin, body, handles)
    assert answer["response"]["outcome"]["data"] == {"status": "cancelled"}


def test_a_finished_report_is_read_by_its_owner_only(site: Site) -> None:
    erin, body = PageSession(site.url("erin")), report_body(QUICK)
    _, handles = erin.start(body)
    deadline = time.monotonic() + DEADLINE_S
    while is_computing(site, job_id(handles)):  # done, its result unread
        assert time.monotonic() < deadline, f"the job never ended:\n{site.logs()}"
        time.sleep(POLL_S)
    assert replayed_by(site, "amos", erin).poll(body, handles)[1] is None
    answer = poll_to_end(erin, body, handles)  # the replay neither read nor deleted it
    assert_own_report("erin", answer["response"]["outcome"]["data"])
