"""Every callback of every app, sent malformed numbers and lists: never a server error.

The apps come from the catalog and their callbacks from ``/_dash-dependencies``,
so a new app, or a new callback, is covered without editing this file. Each
callback is sent, for every one of its inputs and states alone (the others
as the page's layout holds them, so the bad value gets past the first check)
and then for all of them at once: a float, a string, a bool, a nested list, a
long list and null. A background callback's job is polled to its end. Every answer must be
200 or 204 (a wrong type is refused with a sentence on the page: the apps'
own tests check the sentences), or, for Dash Pages' own router, 400 with a
sentence (``connectkit.navigation.guard_page_router``); the server must
print no traceback. A
body over the request limit is refused with 413 before anything runs.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from connectkit.inputs import MAX_REQUEST_BYTES

from scripts.catalog import AppInfo, celery_app_of, discover_apps, smoke_visitor
from scripts.perf.job_client import PageSession
from scripts.runner.serve import ServedApp
from tests.apps.test_smoke import smoke_env

APPS = discover_apps()
MALFORMED: dict[str, Any] = {
    "float": 3.0,
    "string": "3",
    "bool": True,
    "nested list": [["EMEA"], [1]],
    "long list": ["EMEA"] * 1_000,  # 8 KB (six: under the request limit), over any cap
    "null": None,
}
ROUTER_REFUSAL = b"The page address must be text under this app's address; nothing was run."
TIMEOUT_S = 30.0
JOB_DEADLINE_S = 60.0  # a failure bound for a background job, not a speed target


def split_props(key: str) -> list[tuple[str, str]]:
    """Dash's output key (``a.b`` or ``..a.b...c.d..``) as (id, property) pairs."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [tuple(part.rsplit(".", 1)) for part in parts]  # type: ignore[misc]


def is_wildcard(component_id: str) -> bool:
    return component_id.startswith("{")  # a pattern-matching id, as JSON


class Callback:
    """One server-side callback from ``/_dash-dependencies``, and bodies that fire it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.key = str(spec["output"])
        self.outputs = split_props(self.key)
        self.inputs = [(i["id"], i["property"]) for i in spec["inputs"]]
        self.state = [(s["id"], s["property"]) for s in spec.get("state", [])]

    def body(self, value_of: Callable[[str, str], Any]) -> dict[str, Any]:
        def prop(cid: str, name: str, with_value: bool) -> Any:
            if is_wildcard(cid):  # matches no component here: an empty group
                return []
            item: dict[str, Any] = {"id": cid, "property": name}
            return {**item, "value": value_of(cid, name)} if with_value else item

        outputs = [prop(c, p, False) for c, p in self.outputs]
        return {
            "output": self.key,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [prop(c, p, True) for c, p in self.inputs],
            "state": [prop(c, p, True) for c, p in self.state],
            "changedPropIds": [f"{c}.{p}" for c, p in self.inputs if not is_wildcard(c)],
        }

    def malformed_bodies(
        self, initial: dict[tuple[str, str], Any]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(what was sent, body): each input or state alone, the others as the page
        holds them (a button as clicked once), then all of them together."""

        def good(cid: str, name: str) -> Any:
            return initial.get((cid, name), 1 if name == "n_clicks" else None)

        for kind, bad in MALFORMED.items():
            for cid, name in [*self.inputs, *self.state]:
                if is_wildcard(cid):
                    continue
                yield (
                    f"{cid}.{name}={kind}",
                    self.body(
                        lambda c, p, cid=cid, name=name, bad=bad: (
                            bad if (c, p) == (cid, name) else good(c, p)
                        )
                    ),
                )
            yield f"everything={kind}", self.body(lambda _c, _p, bad=bad: bad)


class Page(PageSession):
    """One page load of a served app: its callbacks, its layout's values, raw posts."""

    def __init__(self, served: ServedApp) -> None:
        super().__init__(served.url)
        self.served = served

    def callbacks(self) -> list[Callback]:
        url = f"{self.served.url}_dash-dependencies"
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            specs = json.loads(answer.read())
        return [Callback(spec) for spec in specs if not spec.get("clientside_function")]

    def initial_values(self) -> dict[tuple[str, str], Any]:
        """(component id, property) -> value, for every component in the page's layout."""
        with urllib.request.urlopen(f"{self.served.url}_dash-layout", timeout=TIMEOUT_S) as answer:
            layout = json.loads(answer.read())
        values: dict[tuple[str, str], Any] = {}
        pending = [layout]
        while pending:
            node = pending.pop()
            if isinstance(node, list):
                pending.extend(node)
            elif isinstance(node, dict):
                props = node.get("props", {})
                if isinstance(props, dict) and isinstance(props.get("id"), str):
                    values.update({(props["id"], k): v for k, v in props.items()})
                pending.extend(node.values())
        return values

    def post_raw(self, data: bytes, **args: str) -> tuple[int, bytes]:
        exchange, raw = self.send(data, **args)
        return exchange.status, raw

    def fire(self, body: dict[str, Any]) -> tuple[int, bytes]:
        """Post the callback; a background one is polled (as the renderer does) to its end."""
        status, raw = self.post_raw(json.dumps(body).encode())
        answer = json.loads(raw) if status == 200 else None
        if not (isinstance(answer, dict) and "cacheKey" in answer and "job" in answer):
            return status, raw
        handles = {"cacheKey": answer["cacheKey"], "job": answer["job"]}
        blank = json.dumps(body).encode()
        deadline = time.monotonic() + JOB_DEADLINE_S
        while time.monotonic() < deadline:
            status, raw = self.post_raw(blank, **handles)
            if status != 200 or b'"response"' in raw:
                return status, raw
            time.sleep(0.2)
        raise AssertionError(f"the job never ended:\n{self.served.stderr_tail()}")


# An app with background jobs runs a job (a process start) for every malformed
# body: a minute and more, so it runs with the slow tests (make test-slow).
PARAMS = [
    pytest.param(a, id=a.name, marks=[pytest.mark.slow] if celery_app_of(a) else []) for a in APPS
]


@pytest.fixture(params=PARAMS)
def page(request: pytest.FixtureRequest, served_app: Any, tmp_path: Path) -> Iterator[Page]:
    app: AppInfo = request.param
    visitor = smoke_visitor(app)
    env = smoke_env(app, tmp_path / "fresh")
    with served_app(app.name, user=visitor.user, groups=visitor.groups, env=env) as served:
        yield Page(served)


def test_every_callback_takes_malformed_inputs_without_a_server_error(page: Page) -> None:
    failures = []
    initial = page.initial_values()
    for callback in page.callbacks():
        for sent, body in callback.malformed_bodies(initial):
            status, raw = page.fire(body)
            if status == 400 and raw == ROUTER_REFUSAL:
                continue
            if status not in (200, 204):
                failures.append(f"{callback.key} with {sent}: HTTP {status} {raw[:200]!r}")
    assert not failures, "\n".join(failures) + f"\n{page.served.stderr_tail()}"
    assert not page.served.tracebacks(), page.served.stderr_tail(60)


def test_a_body_over_the_limit_is_refused_before_anything_runs(page: Page) -> None:
    status, raw = page.post_raw(b" " * (MAX_REQUEST_BYTES + 1))
    assert status == 413, raw[:200]
    assert b"KiB a callback of this app accepts; nothing was run." in raw
    assert not page.served.tracebacks(), page.served.stderr_tail(60)
