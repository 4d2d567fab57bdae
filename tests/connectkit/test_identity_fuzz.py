"""Any header, through the whole user-greeting app (Flask test client): never a 5xx.

Arbitrary bytes reach the app the way a WSGI server hands them over
(decoded as latin-1); arbitrary text and JSON-shaped values too. A trusted
app greets exactly the valid users; an untrusted one greets nobody.
`make fuzz` runs these with 10,000 examples each.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from connectkit.credentials import ENVIRON_KEY
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from tests.support.apps import import_app

CALLBACK = {
    "output": "greeting.children",
    "outputs": {"id": "greeting", "property": "children"},
    "inputs": [{"id": "salutation", "property": "value", "value": "Aloha"}],
    "changedPropIds": ["salutation.value"],
}


def _build(environ: dict[str, str]) -> FlaskClient:
    with pytest.MonkeyPatch.context() as patch:
        module = import_app("user-greeting", patch)
        return module.build_app(environ).server.test_client()


@pytest.fixture(scope="module")
def trusted() -> FlaskClient:
    return _build({TRUSTED_FRONTEND_ENV: LOCAL_RUNNER})


@pytest.fixture(scope="module")
def untrusted() -> FlaskClient:
    return _build({})


def visit(client: FlaskClient, environ_value: str) -> tuple[str, str]:
    """Load the layout and run the greeting callback; return (layout, greeting)."""
    overrides = {ENVIRON_KEY: environ_value}
    layout = client.get("/_dash-layout", environ_overrides=overrides)
    assert layout.status_code == 200, layout.status_code
    update = client.post("/_dash-update-component", json=CALLBACK, environ_overrides=overrides)
    assert update.status_code == 200, update.status_code
    greeting = update.get_json()["response"]["greeting"]["children"]
    assert greeting.startswith("Aloha, ") and greeting.endswith(".")
    return layout.get_data(as_text=True), greeting


def as_wsgi(raw: bytes) -> str:
    return raw.decode("latin-1")  # what a WSGI server puts in the environ (PEP 3333)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
json_shaped = st.dictionaries(
    st.sampled_from(["user", "groups", "guid", "email"]) | st.text(max_size=8),
    json_values,
    max_size=4,
)
any_header = (
    st.binary(max_size=300).map(as_wsgi)
    | st.text(max_size=300)
    | json_shaped.map(lambda d: as_wsgi(json.dumps(d, ensure_ascii=False).encode(errors="replace")))
    | json_shaped.map(json.dumps)
)
# names a directory could hold: letters of any script, digits, and a little punctuation
valid_names = st.text(
    alphabet=st.characters(categories=["L", "N"]) | st.sampled_from("-_.@' "), min_size=1
).filter(str.strip)
not_strings = json_values.filter(lambda value: not isinstance(value, str))


@given(header=any_header)
def test_any_header_never_breaks_the_page(trusted: FlaskClient, header: str) -> None:
    visit(trusted, header)


def component_text(layout: str, component_id: str) -> Any:
    """The children of the component with this id in a /_dash-layout answer."""
    stack = [json.loads(layout)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == component_id:
                return node["props"]["children"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no component with id {component_id!r}")


@given(
    user=valid_names,
    groups=st.lists(valid_names | not_strings, max_size=5),
    ascii_only=st.booleans(),
)
def test_valid_users_are_greeted_and_their_valid_groups_listed(
    trusted: FlaskClient, user: str, groups: list[Any], ascii_only: bool
) -> None:
    raw = json.dumps({"user": user, "groups": groups}, ensure_ascii=ascii_only).encode()
    layout, greeting = visit(trusted, as_wsgi(raw))
    assert greeting == f"Aloha, {user}."
    kept = list(dict.fromkeys(g for g in groups if isinstance(g, str)))
    expected = "Your groups: " + ", ".join(kept) if kept else "You are in no groups."
    assert component_text(layout, "groups") == expected
    assert component_text(layout, "visitor-name") == user


@given(header=any_header | st.just(json.dumps({"user": "alice", "groups": ["admins"]})))
def test_an_untrusted_app_greets_nobody(untrusted: FlaskClient, header: str) -> None:
    layout, greeting = visit(untrusted, header)
    assert greeting == "Aloha, stranger."
    assert component_text(layout, "groups") == "You are in no groups."
    assert component_text(layout, "visitor-name") == "anonymous"
