"""A recorded visit, as a small reviewable file: ``apps/<name>/loadtest/session.json``.

Each step is one request the browser sent (path relative to the app's prefix,
the JSON body of a callback), the think time before it, and what its answer
must hold: the status, and for JSON answers their *shape* (keys, component
ids and types, never the values, which change with the visitor and the data).
No identity is stored: no header, no cookie, no user name; the replay gives
each simulated visitor its own.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scripts.catalog import AppInfo

FORMAT = 1
UPDATE_PATH = "_dash-update-component"
# Where the recording was served shows in callback bodies (a dcc.Location's
# pathname and href): kept as marks, put back as the replay's target.
PREFIX_MARK, ORIGIN_MARK = "{prefix}", "{origin}"


def _replace(body: Any, pairs: list[tuple[str, str]]) -> Any:
    text = json.dumps(body)
    for old, new in pairs:
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    return json.loads(text)


def unplaced(body: Any, origin: str, prefix: str) -> Any:
    """A body without the recording server's origin and prefix (marks in their place)."""
    return _replace(body, [(origin, ORIGIN_MARK), (prefix.rstrip("/"), PREFIX_MARK)])


def placed(body: Any, origin: str, prefix: str) -> Any:
    """A recorded body as the target at ``origin`` + ``prefix`` must receive it."""
    return _replace(body, [(PREFIX_MARK, prefix.rstrip("/")), (ORIGIN_MARK, origin)])


def session_path(app: AppInfo) -> Path:
    return app.path / "loadtest" / "session.json"


@dataclass(frozen=True)
class Step:
    """One request of the visit, and what its answer must hold."""

    method: str
    path: str  # relative to the app's prefix: "", "_dash-layout", "assets/x.css"
    status: int
    think_s: float = 0.0  # the pause before this request, as recorded
    body: Any = None  # a callback's JSON body
    shape: list[str] = field(default_factory=list)  # see shape_of

    @property
    def kind(self) -> str:
        """``page`` or ``callback``: the two latencies capacity is judged on."""
        return "callback" if self.route == UPDATE_PATH else "page"

    @property
    def route(self) -> str:
        """The path without its query (Dash adds one to callback requests)."""
        return self.path.partition("?")[0]

    @property
    def name(self) -> str:
        """The name Locust reports it under: callbacks by their outputs."""
        if self.kind == "callback" and isinstance(self.body, dict):
            return f"callback {self.body.get('output', '?')}"
        return f"{self.method} /{self.path}"


@dataclass(frozen=True)
class Session:
    app: str
    steps: list[Step]
    format: int = FORMAT

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": self.format, "app": self.app, "steps": [asdict(s) for s in self.steps]}
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> Session:
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise SessionError(
                f"no recording at {path}: make one with `make record APP={path.parent.parent.name}`"
            ) from None
        except ValueError as error:
            raise SessionError(f"{path} is not JSON ({error}); record it again") from None
        if data.get("format") != FORMAT:
            raise SessionError(
                f"{path} has format {data.get('format')!r}, this tool reads {FORMAT}: record again"
            )
        return cls(app=str(data["app"]), steps=[Step(**s) for s in data["steps"]])


class SessionError(ValueError):
    """A recording that is missing or unreadable; the message says how to make one."""


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "bool" if isinstance(value, bool) else "null"
    return {int: "number", float: "number", str: "text", list: "list"}.get(type(value), "object")


def shape_of(value: Any, depth: int, prefix: str = "") -> list[str]:
    """The key paths of a JSON value ``depth`` levels down, sorted: what must not change.

    Dict keys are followed; a component gives its ``namespace.type`` (so an
    error card in place of a chart shows) and its props; where the walk stops
    (a list, a scalar, or ``depth``) the value's kind is kept (``x:text``), so
    a text turned into a component shows too. List items are data: not followed.
    """
    if isinstance(value, dict) and "type" in value and "namespace" in value and "props" in value:
        kind = f"{prefix}<{value['namespace']}.{value['type']}>"
        return sorted({kind, *shape_of(value["props"], depth, prefix)})
    if not isinstance(value, dict) or depth <= 0:
        return [f"{prefix.rstrip('.')}:{_kind(value)}"] if prefix else []
    paths: set[str] = set()
    for key, item in value.items():
        paths.add(f"{prefix}{key}")
        paths.update(shape_of(item, depth - 1, f"{prefix}{key}."))
    return sorted(paths)


# How deep each answer's shape goes. A callback: multi, response, component id,
# property, and what was put there (a component's type and props, or a kind).
# The layout: its root only (what lies below depends on the visitor: a navbar
# name, scoped options).
CALLBACK_DEPTH = 5
LAYOUT_DEPTH = 1


def answer_shape(path: str, payload: Any) -> list[str]:
    """The shape recorded for an answer at ``path`` (empty for a non-JSON answer)."""
    if path == "_dash-dependencies":
        if not isinstance(payload, list):
            return ["<not a list>"]
        # the callbacks' outputs (their order and details are Dash's)
        return sorted({f"output:{d.get('output')}" for d in payload if isinstance(d, dict)})
    if path == "_dash-layout":
        return shape_of(payload, LAYOUT_DEPTH)
    if path == UPDATE_PATH:
        return shape_of(payload, CALLBACK_DEPTH)
    return []


def missing_from(expected: list[str], path: str, payload: Any) -> list[str]:
    """What the recorded shape had that this answer lacks (empty: it matches)."""
    have = set(answer_shape(path, payload))
    return [p for p in expected if p not in have]
