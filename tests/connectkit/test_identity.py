"""The credentials header: parsing table, the writer, the GUID-mode setting, the
trust rule, group matching, logging, and one parse per request."""

from __future__ import annotations

import json
import logging

import connectkit.identity
import pytest
from connectkit import create_app, current_visitor, require_groups
from connectkit.credentials import (
    HEADER,
    MAX_HEADER_BYTES,
    Problem,
    ProblemLog,
    credentials_header,
    environ_header_bytes,
    parse_credentials,
    read_credentials,
)
from connectkit.groups import has_required_group
from connectkit.identity import USE_GUIDS_ENV, credentials_mode
from connectkit.settings import SettingError
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV, header_trust
from connectkit.visitor import ANONYMOUS, Mode, Visitor, is_guid
from dash import Dash, Input, Output, html

from scripts.runner import run

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
    # a name shaped like a GUID is a name: the mode is a setting, not a guess
    (creds(user=USER_GUID, groups=[GROUP_GUID]), Visitor(USER_GUID, (GROUP_GUID,)), set()),
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


# raw header value -> visitor, on a server whose ContentCredentialsUseGUID is on
GUID_TABLE = [
    (creds(user=USER_GUID, groups=[GROUP_GUID]), Visitor(USER_GUID, (GROUP_GUID,), GUIDS)),
    (creds(user=USER_GUID.upper()), Visitor(USER_GUID.upper(), (), GUIDS)),
    ("{not json", ANONYMOUS),  # the policy is the same in either mode
    (None, ANONYMOUS),
]


@pytest.mark.parametrize(("raw", "visitor"), GUID_TABLE)
def test_guid_mode_comes_from_the_caller(raw: str | None, visitor: Visitor) -> None:
    assert read_credentials(raw, Mode.GUIDS).visitor == visitor
    assert parse_credentials(raw, Mode.GUIDS) == visitor


@pytest.mark.parametrize(
    ("user", "groups", "expected"),
    [
        ("", ["a"], None),
        (None, [], None),
        ("alice", ["a", "", "b"], {"user": "alice", "groups": ["a", "b"]}),
        ("José", [], {"user": "José", "groups": []}),
    ],
)
def test_credentials_header_writes_what_connect_sends(
    user: str | None, groups: list[str], expected: object
) -> None:
    value = credentials_header(user, groups)
    assert (json.loads(value) if value else None) == expected


@pytest.mark.parametrize(
    ("user", "groups"),
    [("alice", ("analysts", "sales-emea")), ("José", ("équipe",)), (USER_GUID, (GROUP_GUID,))],
)
def test_credentials_header_reads_back_as_the_same_visitor(
    user: str, groups: tuple[str, ...]
) -> None:
    assert parse_credentials(credentials_header(user, groups)) == Visitor(user, groups)


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
    # which configured groups match, each asked of the one rule on its own
    matched = tuple(c.strip() for c in configured if has_required_group(visitor, [c]))
    assert matched == matches
    assert has_required_group(visitor, configured) is bool(matches)


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


@pytest.mark.parametrize(
    ("environ", "mode"),
    [
        ({}, Mode.NAMES),
        ({USE_GUIDS_ENV: ""}, Mode.NAMES),
        ({USE_GUIDS_ENV: "false"}, Mode.NAMES),
        ({USE_GUIDS_ENV: "0"}, Mode.NAMES),
        ({USE_GUIDS_ENV: "true"}, Mode.GUIDS),
        ({USE_GUIDS_ENV: " TRUE "}, Mode.GUIDS),
        ({USE_GUIDS_ENV: "1"}, Mode.GUIDS),
        ({USE_GUIDS_ENV: "yes"}, Mode.GUIDS),
    ],
)
def test_guid_mode_is_a_setting(environ: dict[str, str], mode: Mode) -> None:
    assert credentials_mode(environ) is mode


def test_a_bad_guid_mode_setting_stops_the_app_and_says_how_to_fix() -> None:
    with pytest.raises(SettingError) as raised:
        _app({**TRUSTED, USE_GUIDS_ENV: "guids please"})
    assert str(raised.value) == (
        f"{USE_GUIDS_ENV} is 'guids please'; expected true or false "
        "(also accepted: 1/0, yes/no, on/off)"
    )


def test_the_app_stamps_its_mode_on_every_visitor() -> None:
    header = creds(user=USER_GUID, groups=[GROUP_GUID])
    names = _visitor_seen(_app(TRUSTED), **{HEADER: header})
    guids = _visitor_seen(_app({**TRUSTED, USE_GUIDS_ENV: "true"}), **{HEADER: header})
    assert names == Visitor(USER_GUID, (GROUP_GUID,), Mode.NAMES)
    assert guids == Visitor(USER_GUID, (GROUP_GUID,), Mode.GUIDS)


def test_runner_sets_the_variable_connectkit_trusts() -> None:
    # one source: the runner uses connectkit's own names, not copies of them
    assert run.TRUSTED_FRONTEND_ENV is TRUSTED_FRONTEND_ENV
    assert run.LOCAL_RUNNER is LOCAL_RUNNER


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
    monkeypatch.setattr(connectkit.identity, "_problem_log", ProblemLog())  # forget earlier tests
    app = _app(TRUSTED)
    with caplog.at_level(logging.WARNING, logger="connectkit.identity"):
        seen = _visitor_seen(app, **{HEADER: creds(user="alice", groups="analysts")})
    assert seen == Visitor("alice")
    assert [r.getMessage() for r in caplog.records] == [
        f"Malformed {HEADER} header: {Problem.GROUPS_NOT_LIST.value}. "
        "(This kind of problem is logged once.)"
    ]


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every parse of a header from here on."""
    parses: list[object] = []
    real = connectkit.identity.read_credentials

    def counting(raw: str | bytes | None, mode: Mode = Mode.NAMES) -> object:
        parses.append(raw)
        return real(raw, mode)

    monkeypatch.setattr(connectkit.identity, "read_credentials", counting)
    return parses


def _gated_app_asking_three_times() -> Dash:
    """The gate, the navbar and the body (layout) or a callback each ask for the visitor."""
    seen_by_body: list[Visitor] = []

    def body() -> html.Div:
        seen_by_body.append(current_visitor())
        return html.Div([html.Button(id="go"), html.P(id="out")])

    app = create_app("identity_once", title="Once", layout=body, environ=TRUSTED)
    require_groups(app, ["analysts"], setting="TEST_GROUPS")

    @app.callback(Output("out", "children"), Input("go", "n_clicks"))
    def who(_clicks: int | None) -> str:
        return current_visitor().display_name + "/" + current_visitor().display_name

    return app


CALLBACK = {
    "output": "out.children",
    "outputs": {"id": "out", "property": "children"},
    "inputs": [{"id": "go", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["go.n_clicks"],
}


def test_the_visitor_is_parsed_once_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _gated_app_asking_three_times()
    client = app.server.test_client()
    parses = _counting_parses(monkeypatch)

    layout = client.get("/_dash-layout", headers={HEADER: ALICE})
    assert layout.status_code == 200 and '"alice"' in json.dumps(layout.get_json())
    assert parses == [ALICE.encode()]  # gate, navbar and body shared one parse

    update = client.post("/_dash-update-component", json=CALLBACK, headers={HEADER: ALICE})
    assert update.get_json()["response"]["out"]["children"] == "alice/alice"
    assert len(parses) == 2  # the callback's request: one more parse, shared with the gate

    bob = creds(user="bob", groups=["sales"])
    assert client.get("/_dash-layout", headers={HEADER: bob}).status_code == 403
    assert len(parses) == 3  # a new request is parsed afresh: nothing leaks between them


def test_an_untrusted_app_never_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app({})
    parses = _counting_parses(monkeypatch)
    assert app.server.test_client().get("/_dash-layout", headers={HEADER: ALICE}).status_code == 200
    assert parses == []
