"""The human pages: ``/`` lists deployed content, ``/__login__`` picks the visitor."""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request
from flask.typing import ResponseReturnValue

from scripts.connect_local.app_processes import ProcessManager
from scripts.connect_local.directory import register_visitor
from scripts.connect_local.html_frame import render
from scripts.connect_local.proxy import ANONYMOUS_COOKIE_VALUE, VISITOR_COOKIE, ContentProxy
from scripts.connect_local.store import Store

pages = Blueprint("connect_local_pages", __name__)


def _layout(title: str, body: str) -> Response:
    return Response(render(title, body), mimetype="text/html")


def _store() -> Store:
    return current_app.extensions["connect_local.store"]


def _proxy() -> ContentProxy:
    return current_app.extensions["connect_local.proxy"]


def _processes() -> ProcessManager:
    return current_app.extensions["connect_local.processes"]


@pages.get("/")
def landing() -> Response:
    running = set(_processes().keys())
    with _store().read() as state:
        content = sorted(state["content"].values(), key=lambda c: int(c["id"]))
        vanities = dict(state["vanities"])
    rows = []
    for item in content:
        guid = item["guid"]
        link = f"/content/{guid}/"
        vanity = vanities.get(guid)
        vanity_cell = f"<a href='{html.escape(vanity)}'>{html.escape(vanity)}</a>" if vanity else ""
        state_text = (
            "running" if guid in running else ("deployed" if item["bundle_id"] else "no bundle")
        )
        rows.append(
            f"<tr><td><a href='{link}'>{html.escape(item.get('title') or item['name'])}</a></td>"
            f"<td>{html.escape(item['name'])}</td><td><code>{guid}</code></td>"
            f"<td>{html.escape(item['access_type'])}</td><td>{item['bundle_id'] or ''}</td>"
            f"<td>{state_text}</td><td>{vanity_cell}</td></tr>"
        )
    visitor = _proxy().visitor(request.environ)
    who = html.escape(visitor.username) if visitor.username else "anonymous"
    groups = html.escape(", ".join(visitor.group_names)) or "none"
    table = (
        "<table><tr><th>title</th><th>name</th><th>guid</th><th>access</th><th>bundle</th>"
        "<th>state</th><th>vanity</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>Nothing deployed yet: <code>rsconnect deploy dash -s URL -k KEY DIR</code>.</p>"
    )
    body = (
        f"<p>Visiting as <b id='visitor'>{who}</b> (groups: {groups}). "
        f"<a href='/__login__'>Change visitor</a></p>{table}"
    )
    return _layout("Deployed content", body)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@pages.route("/__login__", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Pick the visitor: ``?user=alice&groups=a,b&next=/content/...`` or the form."""
    values = request.form if request.method == "POST" else request.args
    target = _safe_next(values.get("next"))
    if "user" in values:
        user = values.get("user", "").strip()
        groups = values.get("groups", "")
        response = redirect(target, code=303)
        if user:
            try:
                register_visitor(_store(), f"{user}:{groups}")
            except ValueError as error:
                return _layout("Choose a visitor", f"<p>{html.escape(str(error))}</p>")
            response.set_cookie(VISITOR_COOKIE, user, httponly=True, samesite="Lax")
        else:
            response.set_cookie(
                VISITOR_COOKIE, ANONYMOUS_COOKIE_VALUE, httponly=True, samesite="Lax"
            )
        return response
    with _store().read() as state:
        known = sorted(u["username"] for u in state["users"].values())
    options = "".join(
        f"<li><a href='/__login__?{html.escape(urlencode({'user': n, 'next': target}))}'>"
        f"{html.escape(n)}</a></li>"
        for n in known
    )
    form = (
        "<form method='post'><label>User <input name='user' placeholder='alice'></label> "
        "<label>Groups <input name='groups' placeholder='analysts,sales'></label> "
        f"<input type='hidden' name='next' value='{html.escape(target)}'>"
        "<button type='submit'>Visit as this user</button></form>"
        "<p>An empty user name visits anonymously.</p>"
        f"<h2>Known users</h2><ul>{options}</ul>"
    )
    return _layout("Choose a visitor", form)


@pages.get("/connect/")
def dashboard() -> ResponseReturnValue:
    return redirect("/", code=302)


@pages.get("/__ping__")
def ping() -> Response:
    return jsonify({})


def install(app: Flask, *, proxy: ContentProxy, processes: ProcessManager) -> None:
    app.extensions["connect_local.proxy"] = proxy
    app.extensions["connect_local.processes"] = processes
    app.register_blueprint(pages)
