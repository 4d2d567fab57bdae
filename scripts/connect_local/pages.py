"""The human pages: ``/`` lists deployed content, ``/__login__`` picks the visitor.

Picking a visitor takes a POST with proof (see ``sessions``): a GET of
``/__login__`` only shows the form.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request
from flask.typing import ResponseReturnValue

from scripts.connect_local.app_processes import ProcessManager
from scripts.connect_local.directory import ensure_user, register_visitor
from scripts.connect_local.html_frame import render
from scripts.connect_local.proxy import ContentProxy
from scripts.connect_local.sessions import ANONYMOUS_COOKIE_VALUE, VISITOR_COOKIE
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


class LoginRefused(Exception):
    """A login without proof, or with proof for someone else."""


LOGIN_FORM = """
<form method='post' action='/__login__'>
<label>Login token or API key <input name='token' type='password' autocomplete='off'></label>
<label>User <input name='user' value='{user}' placeholder='alice'></label>
<label>Groups <input name='groups' value='{groups}' placeholder='analysts,sales'></label>
<input type='hidden' name='next' value='{target}'>
<button type='submit'>Visit as this user</button></form>
<p>The login token is printed when the stand-in starts; it may pick any user and
groups. A user's own API key logs in as that user. An empty user name, with no
token, visits anonymously.</p>
"""


@pages.get("/__login__")
def login_form() -> Response:
    """The form only: a GET never changes who you are (fields may be pre-filled)."""
    with _store().read() as state:
        known = sorted(u["username"] for u in state["users"].values())
    form = LOGIN_FORM.format(
        user=html.escape(request.args.get("user", "")),
        groups=html.escape(request.args.get("groups", "")),
        target=html.escape(_safe_next(request.args.get("next"))),
    )
    users = "".join(f"<li>{html.escape(n)}</li>" for n in known)
    return _layout("Choose a visitor", f"{form}<h2>Known users</h2><ul>{users}</ul>")


def _login_user(token: str, user: str, groups: str | None) -> str:
    """The user this login proves (created or regrouped when the token allows it)."""
    proxy = _proxy()
    if proxy.config.mint.user_of(token) is not None:  # a content's or a visitor's minted key
        raise LoginRefused("a content process's API key cannot sign in: it is the app's, no one's")
    key_user = proxy.config.user_for(f"Key {token}")
    if proxy.sessions.is_login_token(token) or key_user == proxy.config.api_user_guid:
        if groups is None:
            ensure_user(_store(), user)
        else:
            register_visitor(_store(), f"{user}:{groups}")
        return user
    if key_user is None:
        raise LoginRefused("a login needs the token printed at start-up or an API key")
    with _store().read() as state:
        owner = state["users"][key_user]["username"]
    if user not in ("", owner) or groups:
        raise LoginRefused(f"this API key logs in as {owner} only, with {owner}'s own groups")
    return str(owner)


@pages.post("/__login__")
def login() -> ResponseReturnValue:
    """Pick the visitor: form fields ``token``, ``user``, ``groups`` (optional), ``next``."""
    token, user = request.form.get("token", ""), request.form.get("user", "").strip()
    response = redirect(_safe_next(request.form.get("next")), code=303)
    if not token and not user:
        response.set_cookie(VISITOR_COOKIE, ANONYMOUS_COOKIE_VALUE, httponly=True, samesite="Lax")
        return response
    try:
        username = _login_user(token, user, request.form.get("groups"))
    except (LoginRefused, ValueError) as error:
        page = _layout("Not logged in", f"<p>{html.escape(str(error))}</p>")
        page.status_code = 403
        return page
    cookie = _proxy().sessions.cookie_for(username)
    response.set_cookie(VISITOR_COOKIE, cookie, httponly=True, samesite="Lax")
    return response


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
