"""connectkit.access: the pure gate rule, scopes, settings parsing and the hook."""

from __future__ import annotations

import json
import logging

import pytest
from connectkit import create_app, require_groups, scope_for
from connectkit.access import Scope, forbidden_page, parse_group_list, parse_scope_grants
from connectkit.groups import has_required_group
from connectkit.settings import SettingError
from connectkit.visitor import Visitor
from dash import html

ALICE = Visitor(user="alice", groups=("sales-emea", "analysts"))
GUID_GROUP = "0b0e5f6c-2a8e-4c1f-9d52-6a1b7c0e9f13"


@pytest.mark.parametrize(
    ("visitor", "allowed", "expected"),
    [
        (ALICE, ("sales-emea",), True),
        (ALICE, ("admins", "analysts"), True),
        (ALICE, ("admins",), False),
        (ALICE, (), False),  # empty list: nobody
        (ALICE, ("Sales-EMEA",), False),  # exact match only
        (ALICE, ("sales",), False),  # no prefix match
        (Visitor(), ("sales-emea",), False),  # anonymous
        (Visitor(user=None, groups=("admins",)), ("admins",), False),  # groups without a user
        (Visitor(user="bob"), ("admins",), False),  # no groups
        (Visitor(user="g", groups=(GUID_GROUP,)), (GUID_GROUP,), True),  # GUID mode
        (Visitor(user="g", groups=(GUID_GROUP,)), ("sales-emea",), False),
        # Connect may print GUIDs in either case: the gate uses identity's one rule
        (Visitor(user="g", groups=(GUID_GROUP.upper(),)), (GUID_GROUP,), True),
    ],
)
def test_has_required_group(visitor: Visitor, allowed: tuple[str, ...], expected: bool) -> None:
    assert has_required_group(visitor, allowed) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ()),
        (" , ,", ()),
        ("admins", ("admins",)),
        (" sales-emea, admins ,sales-emea,", ("sales-emea", "admins")),
        (GUID_GROUP + ",x", (GUID_GROUP, "x")),
    ],
)
def test_parse_group_list(raw: str, expected: tuple[str, ...]) -> None:
    assert parse_group_list(raw) == expected


GRANTS = {"sales-emea": {"EMEA"}, "sales-amer": {"AMER"}, "admins": {"*"}, GUID_GROUP: {"APAC"}}


@pytest.mark.parametrize(
    ("visitor", "label"),
    [
        (Visitor(user="a", groups=("sales-emea",)), "EMEA"),
        (Visitor(user="a", groups=("sales-amer", "sales-emea")), "EMEA, AMER"),
        (Visitor(user="a", groups=("sales-emea", "admins")), "all"),
        (Visitor(user="g", groups=(GUID_GROUP.upper(),)), "APAC"),  # GUID grant, any case
        (Visitor(user="a", groups=("analysts",)), "nothing"),
        (Visitor(user=None, groups=("admins",)), "nothing"),
    ],
)
def test_scope_for(visitor: Visitor, label: str) -> None:
    assert scope_for(visitor, GRANTS).label(("EMEA", "AMER", "APAC")) == label


def test_scope_restricts_in_the_universe_order() -> None:
    assert Scope(frozenset({"b", "c"})).restrict("abcd") == ("b", "c")
    assert Scope(everything=True).restrict("ab") == ("a", "b")
    assert not Scope().allows("a")


def test_parse_scope_grants() -> None:
    grants = parse_scope_grants(
        "sales-emea=EMEA; leads = EMEA, AMER ;admins=*;", setting="S", known={"EMEA", "AMER"}
    )
    assert grants == {"sales-emea": {"EMEA"}, "leads": {"EMEA", "AMER"}, "admins": {"*"}}


@pytest.mark.parametrize("raw", ["sales-emea", "=EMEA", "sales-emea=", "x=EMEA;y=Mars"])
def test_bad_scope_grants_name_the_setting(raw: str) -> None:
    with pytest.raises(SettingError, match=r"^S (has|names).*expected 'group=VALUE"):
        parse_scope_grants(raw, setting="S", known={"EMEA"})


def test_forbidden_page_escapes_and_explains() -> None:
    page = forbidden_page(
        Visitor(user="<script>x</script>", groups=("a&b",)), ("ok<",), title="T", how_to_ask="Ask"
    )
    assert "<script>x" not in page and "&lt;script&gt;" in page and "a&amp;b" in page
    assert "ok&lt;" in page and "Ask" in page
    assert "not configured" in forbidden_page(Visitor(), (), title="T", how_to_ask="A")


@pytest.fixture
def gated_app(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RSTUDIO_PRODUCT", "CONNECT")  # believe the header, as on Connect
    app = create_app("gate_test", title="Gate test", layout=html.P("secret-body"))
    require_groups(app, ["admins"], setting="TEST_GROUPS")
    return app


def creds(user: str, *groups: str) -> dict[str, str]:
    return {"RStudio-Connect-Credentials": json.dumps({"user": user, "groups": list(groups)})}


def test_gate_runs_first_and_spares_only_health(gated_app) -> None:  # type: ignore[no-untyped-def]
    assert gated_app.server.before_request_funcs[None][0].__name__ == "gate"
    client = gated_app.server.test_client()
    assert client.get("/health").status_code == 200
    for path in ("/", "/_dash-layout", "/deep/link", "/health/x", "/_dash-dependencies"):
        denied = client.get(path, headers=creds("bob", "analysts"))
        assert denied.status_code == 403, path
        assert b"secret-body" not in denied.data
        assert denied.headers["Cache-Control"] == "no-store"
    layout = client.get("/_dash-layout", headers=creds("root", "admins"))
    assert layout.status_code == 200 and b"secret-body" in layout.data


def test_gate_cannot_be_added_after_the_first_request(gated_app) -> None:  # type: ignore[no-untyped-def]
    gated_app.server.test_client().get("/health")
    with pytest.raises(AssertionError, match="before_request"):
        require_groups(gated_app, ["x"], setting="TEST_GROUPS")


def test_empty_group_list_denies_everyone_and_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RSTUDIO_PRODUCT", "CONNECT")
    app = create_app("gate_empty", title="Empty", layout=html.P("x"))
    with caplog.at_level(logging.WARNING, logger="connectkit.access"):
        require_groups(app, [], setting="DASHBOARD_GROUPS")
    assert "DASHBOARD_GROUPS is empty; expected a comma-separated list of groups" in caplog.text
    response = app.server.test_client().get("/", headers=creds("root", "admins"))
    assert response.status_code == 403 and b"not configured" in response.data


@pytest.mark.parametrize(
    ("environ", "allowed"),
    [
        ({}, ("sales-emea", "admins")),  # default: every group with a scope
        ({"G": "admins"}, ("admins",)),
        ({"G": ""}, ()),  # set but empty: nobody
        ({"S": "leads=EMEA", "G": " leads, ,leads"}, ("leads",)),
    ],
)
def test_access_from_environ(environ: dict[str, str], allowed: tuple[str, ...]) -> None:
    from connectkit import access_from_environ

    got, grants = access_from_environ(
        environ, groups_setting="G", scopes_setting="S", default_scopes=DEFAULTS, known={"EMEA"}
    )
    assert got == allowed
    assert grants == (
        {"leads": {"EMEA"}} if "S" in environ else {"sales-emea": {"EMEA"}, "admins": {"*"}}
    )


DEFAULTS = "sales-emea=EMEA; admins=*"
