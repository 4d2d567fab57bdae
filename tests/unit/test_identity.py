"""The credentials header: parsing table, the trust rule, group matching, logging."""

from __future__ import annotations

import json
import logging

import pytest
from connectkit import (
    ANONYMOUS,
    Mode,
    Visitor,
    create_app,
    current_visitor,
    in_any_group,
    is_guid,
    matching_groups,
    parse_credentials,
)
from connectkit.identity import (
    HEADER,
    MAX_HEADER_BYTES,
    Problem,
    ProblemLog,
    environ_header_bytes,
    read_credentials,
)
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV, header_trust
from dash import Dash, html

from scripts.local import run

USER_GUID = "6f300623-1e0c-48e6-a473-ddf630c0c0c3"
GROUP_GUID = "0b8a1e2c-7d5f-4c3a-9e6b-2f1d4a8c9b70"
TRUSTED = {TRUSTED_FRONTEND_ENV: LOCAL_RUNNER}
GUIDS = Mode.GUIDS
BAD_GROUP = Problem.GROUP_INVALID


def creds(**fields: object) -> str:
    return json.dumps(fields)


# raw header value -> (visitor, problems)
PARSE_TABLE = [
    # valid, names mode
    (creds(user="alice", groups=["data", "emea"]), Visitor("alice", ("data", "emea")), set()),
    (creds(user="alice", groups=[]), Visitor("alice"), set()),
    (creds(user="alice"), Visitor("alice"), set()),
    (creds(user="alice", groups=None), Visitor("alice"), set()),
    (creds(user="José", groups=["équipe"]), Visitor("José", ("équipe",)), set()),
    ("José".join(['{"user": "', '"}']).encode(), Visitor("José"), set()),
    (creds(user="alice", groups=["a", "a", "b"]), Visitor("alice", ("a", "b")), set()),
    # GUID mode
    (creds(user=USER_GUID, groups=[GROUP_GUID]), Visitor(USER_GUID, (GROUP_GUID,), GUIDS), set()),
    (creds(user=USER_GUID.upper()), Visitor(USER_GUID.upper(), (), GUIDS), set()),
    # the shapes an anonymous visitor can have: silent
    (None, ANONYMOUS, set()),
    ("", ANONYMOUS, set()),
    (b"", ANONYMOUS, set()),
    ("   ", ANONYMOUS, set()),
    ("{}", ANONYMOUS, set()),
    (creds(user=None, groups=None), ANONYMOUS, set()),
    (creds(user="", groups=[]), ANONYMOUS, set()),
    # malformed: anonymous, with the problem named
    ("{not json", ANONYMOUS, {Problem.NOT_JSON}),
    ("alice", ANONYMOUS, {Problem.NOT_JSON}),
    ("[" * 20_000, ANONYMOUS, {Problem.TOO_LARGE}),
    ("[" * 5_000, ANONYMOUS, {Problem.NOT_JSON}),  # deep nesting: RecursionError inside json
    (b'{"user": "\xff"}', ANONYMOUS, {Problem.NOT_UTF8}),
    ('{"user": "\ud800"}', ANONYMOUS, {Problem.NOT_UTF8}),  # a lone surrogate in a str
    ('{"user": "\\ud800"}', ANONYMOUS, {Problem.USER_INVALID}),  # ... escaped in the JSON
    ("null", ANONYMOUS, {Problem.NOT_OBJECT}),
    ('["alice"]', ANONYMOUS, {Problem.NOT_OBJECT}),
    ('"alice"', ANONYMOUS, {Problem.NOT_OBJECT}),
    ("42", ANONYMOUS, {Problem.NOT_OBJECT}),
    ('{"user": "alice", "user": "mallory"}', ANONYMOUS, {Problem.REPEATED_FIELD}),
    (creds(user=42), ANONYMOUS, {Problem.USER_NOT_STRING}),
    (creds(user=["alice"]), ANONYMOUS, {Problem.USER_NOT_STRING}),
    (creds(user={"name": "alice"}), ANONYMOUS, {Problem.USER_NOT_STRING}),
    (creds(user=True), ANONYMOUS, {Problem.USER_NOT_STRING}),
    (creds(user="   "), ANONYMOUS, {Problem.USER_INVALID}),
    (creds(user="ali\nce"), ANONYMOUS, {Problem.USER_INVALID}),
    (creds(user="alice\x00"), ANONYMOUS, {Problem.USER_INVALID}),
    ("x" * (MAX_HEADER_BYTES + 1), ANONYMOUS, {Problem.TOO_LARGE}),
    (creds(user="a" * MAX_HEADER_BYTES), ANONYMOUS, {Problem.TOO_LARGE}),
    # partly malformed: the user is kept, the bad parts dropped
    (creds(user="alice", groups="analysts"), Visitor("alice"), {Problem.GROUPS_NOT_LIST}),
    (creds(user="alice", groups={"a": 1}), Visitor("alice"), {Problem.GROUPS_NOT_LIST}),
    (creds(user="al", groups=["ok", 7, None, "", " ", ["x"]]), Visitor("al", ("ok",)), {BAD_GROUP}),
    (creds(user="alice", groups=[], admin=True), Visitor("alice"), {Problem.EXTRA_FIELDS}),
    (creds(user=None, guid=USER_GUID), ANONYMOUS, {Problem.EXTRA_FIELDS}),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "visitor", "problems"), PARSE_TABLE)
def test_parse_table(raw: str | bytes | None, visitor: Visitor, problems: set[Problem]) -> None:
    parsed = read_credentials(raw)
    assert parsed.visitor == visitor
    assert parsed.problems == problems
    assert parse_credentials(raw) == visitor


def test_visitor_api() -> None:
    alice = Visitor("alice", ("analysts",))
    assert not alice.is_anonymous and alice.display_name == "alice"
    assert alice.mode is Mode.NAMES
    assert ANONYMOUS.is_anonymous and ANONYMOUS.display_name == "anonymous"
    assert ANONYMOUS.groups == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (USER_GUID, True),
        (USER_GUID.upper(), True),
        (USER_GUID + "\n", False),
        (USER_GUID[:-1], False),
        (USER_GUID.replace("-", ""), False),
        ("alice", False),
        ("", False),
    ],
)
def test_is_guid(value: str, expected: bool) -> None:
    assert is_guid(value) is expected


@pytest.mark.parametrize(
    ("groups", "configured", "matches"),
    [
        (("analysts", "sales-emea"), ["sales-emea"], ("sales-emea",)),
        (("analysts",), ["Analysts"], ()),  # names compare exactly
        (("analysts",), [" analysts ", ""], ("analysts",)),  # configured values are trimmed
        ((), ["analysts"], ()),
        (("analysts",), [], ()),
        ((GROUP_GUID,), [GROUP_GUID.upper()], (GROUP_GUID.upper(),)),  # GUIDs ignore case
        ((GROUP_GUID,), ["analysts"], ()),  # a name never matches a GUID ...
        (("analysts",), [GROUP_GUID], ()),  # ... nor a GUID a name
        ((GROUP_GUID, "analysts"), [GROUP_GUID, "analysts", "x"], (GROUP_GUID, "analysts")),
    ],
)
def test_group_matching(
    groups: tuple[str, ...], configured: list[str], matches: tuple[str, ...]
) -> None:
    visitor = Visitor("someone", groups)
    assert matching_groups(visitor, configured) == matches
    assert in_any_group(visitor, configured) is bool(matches)


@pytest.mark.parametrize(
    ("environ", "trusted"),
    [
        ({"RSTUDIO_PRODUCT": "CONNECT"}, True),
        ({"POSIT_PRODUCT": "CONNECT"}, True),
        ({TRUSTED_FRONTEND_ENV: LOCAL_RUNNER}, True),
        ({}, False),
        ({"POSIT_PRODUCT": "CONNECT_CLOUD"}, False),  # unverified that Cloud sets the header
        ({"RSTUDIO_PRODUCT": "connect"}, False),
        ({TRUSTED_FRONTEND_ENV: "yes"}, False),
        ({TRUSTED_FRONTEND_ENV: ""}, False),
    ],
)
def test_trust_rule(environ: dict[str, str], trusted: bool) -> None:
    decision = header_trust(environ)
    assert decision.trusted is trusted
    assert decision.reason


def test_runner_sets_the_variable_connectkit_trusts() -> None:
    assert (run.TRUSTED_FRONTEND_ENV, "local-runner") == (TRUSTED_FRONTEND_ENV, LOCAL_RUNNER)


def test_environ_header_bytes_undoes_the_wsgi_latin1_decoding() -> None:
    as_a_server_gives_it = '{"user": "José"}'.encode().decode("latin-1")
    assert parse_credentials(environ_header_bytes(as_a_server_gives_it)).user == "José"
    assert environ_header_bytes("日本") == "日本"  # only an in-process client can do this


def _app(environ: dict[str, str]) -> Dash:
    return create_app("identity_test", title="Identity", layout=html.P("x"), environ=environ)


def _visitor_seen(app: Dash, **headers: str) -> Visitor:
    with app.server.test_request_context("/", headers=headers):
        return current_visitor()


ALICE = creds(user="alice", groups=["analysts"])


def test_untrusted_app_ignores_the_header_and_warns_at_start_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectkit.identity"):
        app = _app({})
    assert any("IGNORED" in r.getMessage() for r in caplog.records)
    assert _visitor_seen(app, **{HEADER: ALICE}) == ANONYMOUS


@pytest.mark.parametrize("environ", [TRUSTED, {"RSTUDIO_PRODUCT": "CONNECT"}])
def test_trusted_app_believes_the_header(
    environ: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectkit.identity"):
        app = _app(environ)
    assert not caplog.records
    assert _visitor_seen(app, **{HEADER: ALICE}) == Visitor("alice", ("analysts",))
    assert _visitor_seen(app) == ANONYMOUS


def test_outside_a_request_the_visitor_is_anonymous() -> None:
    assert current_visitor() == ANONYMOUS


def test_app_not_built_by_create_app_applies_the_rule_from_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = Dash("plain_identity_test")
    assert _visitor_seen(plain, **{HEADER: ALICE}) == ANONYMOUS
    monkeypatch.setenv("POSIT_PRODUCT", "CONNECT")
    trusted = Dash("plain_identity_test_2")
    assert _visitor_seen(trusted, **{HEADER: ALICE}).user == "alice"


def test_each_kind_of_problem_is_logged_once_without_the_raw_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = ProblemLog(logging.getLogger("identity-test"))
    secret = '{"user": "mallory-secret-value", "user": "x"}'
    with caplog.at_level(logging.WARNING, logger="identity-test"):
        for raw in [secret, secret, "{not json", '{"user": 1}', "{also not json"]:
            log.report(read_credentials(raw).problems)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3, messages
    assert all(HEADER in m for m in messages)
    assert not any("mallory" in m or "not json" in m for m in messages)


def test_current_visitor_reports_problems_to_the_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connectkit.identity

    monkeypatch.setattr(connectkit.identity, "_problem_log", ProblemLog())  # forget earlier tests
    app = _app(TRUSTED)
    with caplog.at_level(logging.WARNING, logger="connectkit.identity"):
        seen = _visitor_seen(app, **{HEADER: creds(user="alice", groups="analysts")})
    assert seen == Visitor("alice")
    assert [r.getMessage() for r in caplog.records] == [
        f"Malformed {HEADER} header: {Problem.GROUPS_NOT_LIST.value}. "
        "(This kind of problem is logged once.)"
    ]
