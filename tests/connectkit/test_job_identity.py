"""The visitor of a background job: carried from the request (trust rule applied
there), read back in the job, and a result slot per job.

The last two tests show why the slot matters: Dash's own key for a job is the
callback's source and its inputs, the same for two visitors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import diskcache
import pytest
from connectkit import carry_visitor_into_jobs, create_app, job_result_key, job_visitor
from connectkit.credentials import HEADER, credentials_header
from connectkit.job_identity import visitor_from_record, visitor_record
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV
from connectkit.visitor import ANONYMOUS, Mode, Visitor
from dash import DiskcacheManager, Input, Output, html

from scripts.perf.dash_requests import UPDATE_PATH, callback_body

TRUSTED = {TRUSTED_FRONTEND_ENV: LOCAL_RUNNER}
ALICE = Visitor("alice", ("sales-emea",))
BOB = Visitor("bob", ("sales-amer",))


@pytest.mark.parametrize(
    "visitor", [ALICE, Visitor("g", ("6f300623-1e0c-48e6-a473-ddf630c0c0c3",), Mode.GUIDS)]
)
def test_a_record_comes_back_as_the_same_visitor(visitor: Visitor) -> None:
    record = json.loads(json.dumps(visitor_record(visitor)))  # as Celery sends it
    assert visitor_from_record(record) == visitor


@pytest.mark.parametrize(
    "record",
    [
        None,
        "alice",
        {},
        {"user": None, "groups": ["admins"], "mode": "names"},
        {"user": "", "groups": [], "mode": "names"},
        {"user": "alice", "groups": "admins", "mode": "names"},
        {"user": "alice", "groups": [1], "mode": "names"},
        {"user": "alice", "groups": [], "mode": "ldap"},
        {"user": ["alice"], "groups": [], "mode": "names"},
    ],
)
def test_anything_else_is_the_anonymous_visitor(record: Any) -> None:
    assert visitor_from_record(record) == ANONYMOUS


def carrying_app(environ: dict[str, str]) -> Any:
    carry_visitor_into_jobs()
    app = create_app(__name__, title="Jobs", layout=html.Div(id="who"), environ=environ)

    @app.callback(Output("who", "children"), Input("who", "id"))
    def who(_id: Any) -> str:
        return json.dumps(visitor_record(job_visitor()))

    return app


def seen_by_callback(app: Any, header: str) -> Visitor:
    body = callback_body([("who", "children")], [("who", "id", "who")])
    answer = app.server.test_client().post(f"/{UPDATE_PATH}", json=body, headers={HEADER: header})
    assert answer.status_code == 200, answer.text
    return visitor_from_record(json.loads(answer.json["response"]["who"]["children"]))


def test_the_callback_context_carries_the_requests_visitor() -> None:
    app = carrying_app(TRUSTED)
    assert seen_by_callback(app, credentials_header("alice", ["sales-emea"])) == ALICE
    assert seen_by_callback(app, "not json") == ANONYMOUS


def test_where_the_header_is_not_trusted_the_job_is_anonymous() -> None:
    app = carrying_app({})  # not on Connect, not behind the runner
    assert seen_by_callback(app, credentials_header("alice", ["admins"])) == ANONYMOUS


def test_outside_a_callback_there_is_no_visitor() -> None:
    assert job_visitor() == ANONYMOUS


def key_for(app: Any, manager: DiskcacheManager, visitor: Visitor) -> str:
    def report(regions: list[str]) -> str:
        return ",".join(regions)

    header = credentials_header(visitor.user or "", list(visitor.groups))
    with app.server.test_request_context(headers={HEADER: header}):
        return str(manager.build_cache_key(report, [["EMEA"]], [], None))


def test_dash_alone_gives_two_visitors_one_result_slot(tmp_path: Path) -> None:
    app = carrying_app(TRUSTED)
    stock = DiskcacheManager(diskcache.Cache(str(tmp_path)))
    assert key_for(app, stock, ALICE) == key_for(app, stock, BOB)


def test_with_job_result_key_every_job_has_its_own_slot(tmp_path: Path) -> None:
    app = carrying_app(TRUSTED)
    manager = DiskcacheManager(diskcache.Cache(str(tmp_path)), cache_by=[job_result_key])
    keys = {key_for(app, manager, ALICE), key_for(app, manager, BOB), key_for(app, manager, ALICE)}
    assert len(keys) == 3
