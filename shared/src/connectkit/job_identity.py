"""Who a background job works for: the visitor, carried from the request into the job.

A Dash background callback runs outside the request that started it: in a
child process (``DiskcacheManager``) or in a Celery worker on another host,
where there is no request, no credentials header and no trust rule to apply.
``carry_visitor_into_jobs()`` registers a ``dash.hooks.custom_data`` hook: at
every callback, the web process puts the visitor it resolved (trust rule
applied, ``current_visitor()``) into the callback context, which Dash hands
to the job; ``job_visitor()`` reads it back there. Nothing the browser sends
takes part: a forged input cannot name another visitor. Where no visitor was
carried (a job started by code without a request, or an app connectkit was
not attached to: Dash runs the hook for every app), the job is anonymous.

Dash keys a job's result by the callback's source and its inputs only: two
visitors asking with the same inputs share one result slot, and a result
left unread (its tab closed) is served to the next visitor's first poll.
``job_result_key()`` goes into the manager's ``cache_by``: the visitor plus a
fresh token, so every job has a slot of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import flask
from dash import callback_context, hooks
from dash.exceptions import MissingCallbackContextException

from connectkit.identity import current_visitor
from connectkit.visitor import ANONYMOUS, Mode, Visitor

NAMESPACE = "connectkit"  # callback_context.custom_data[NAMESPACE]
ATTACHED_EXTENSION = "connectkit.attached"  # set in a Flask app's extensions by connectkit.plugin
_registered = False


def visitor_record(visitor: Visitor) -> dict[str, Any]:
    """The visitor as plain JSON (Celery sends the job's context as JSON)."""
    return {"user": visitor.user, "groups": list(visitor.groups), "mode": str(visitor.mode)}


def visitor_from_record(record: Any) -> Visitor:
    """Back from ``visitor_record``; anything else is the anonymous visitor."""
    if not isinstance(record, Mapping):
        return ANONYMOUS
    user, groups, mode = record.get("user"), record.get("groups"), record.get("mode")
    if not isinstance(user, str) or not user:
        return ANONYMOUS
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        return ANONYMOUS
    if mode not in {m.value for m in Mode}:
        return ANONYMOUS
    return Visitor(user=user, groups=tuple(groups), mode=Mode(mode))


def _carried_visitor(_context: Any) -> dict[str, Any] | None:
    # Dash runs the hook for every app of the process: carry nothing for an app
    # connectkit was not attached to (connectkit.plugin), which stays as Dash made it.
    if not flask.current_app.extensions.get(ATTACHED_EXTENSION):
        return None
    return {"visitor": visitor_record(current_visitor())}


def carry_visitor_into_jobs() -> None:
    """Register the hook (once per process: Dash's hooks are process-wide)."""
    global _registered
    if not _registered:
        hooks.custom_data(NAMESPACE)(_carried_visitor)
        _registered = True


def job_visitor() -> Visitor:
    """Inside a background job (or a callback): the visitor whose request started it."""
    try:
        carried = callback_context.custom_data.get(NAMESPACE)
    except MissingCallbackContextException:  # not in a callback or a job
        return ANONYMOUS
    if not isinstance(carried, Mapping):
        return ANONYMOUS
    return visitor_from_record(carried.get("visitor"))


def job_result_key() -> str:
    """For a manager's ``cache_by``: the visitor, and a token no other job shares."""
    return json.dumps([visitor_record(current_visitor()), uuid.uuid4().hex])
