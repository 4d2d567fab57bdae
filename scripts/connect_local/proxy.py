"""Content requests: who is visiting, may they, and forward to the app's process.

Like Connect's proxy, it strips ``/content/<guid>`` (or a vanity path, or a
draft's ``/content/<guid>/_bundle<id>``) before the app sees the request,
drops any client-sent ``RStudio-Connect-Credentials`` and sends its own for
the visitor, who is: the API key's owner (``Authorization: Key``), else the
visitor logged in at ``/__login__`` (a signed cookie: ``sessions``), else the
default visitor. To content associated with an OAuth integration it also
sends a signed-in visitor's ``Posit-Connect-User-Session-Token``
(``oauth_tokens``); a client's own copy of either header is dropped. Each
page view it forwards is recorded as a visit (``visits``).
"""

from __future__ import annotations

import html
import http.client
import re
from collections.abc import Callable, Iterable, Iterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from connectkit.credentials import credentials_header

from scripts.connect_local.access import Decision, decide, is_editor
from scripts.connect_local.api import ApiConfig, visitor_from_key
from scripts.connect_local.app_processes import AppStartError, UnixHTTPConnection
from scripts.connect_local.builder import BuildError
from scripts.connect_local.deployer import Deployer
from scripts.connect_local.directory import ANONYMOUS_PRINCIPAL, Principal, visitor_for
from scripts.connect_local.html_frame import render
from scripts.connect_local.sessions import ANONYMOUS_COOKIE_VALUE, VISITOR_COOKIE, Sessions
from scripts.connect_local.store import Store
from scripts.connect_local.visits import is_page_view, record_visit

Environ = dict[str, Any]
StartResponse = Callable[..., Any]

CONTENT_PATH = re.compile(
    r"^/content/(?P<guid>[0-9a-fA-F-]{36})(?:/_bundle(?P<bundle>\d+))?(?P<rest>/.*)?$"
)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
# Headers Connect owns: a client's copy never reaches the app.
CONNECT_OWNED = {"rstudio-connect-credentials", "posit-connect-user-session-token"}
CHUNK = 64 * 1024


def visitor_credentials(visitor: Principal, use_guids: bool) -> str | None:
    """The header Connect sends for ``visitor``: names, or GUIDs when the server uses them."""
    if visitor.is_anonymous:
        return None
    if use_guids:
        return credentials_header(visitor.user_guid, visitor.group_guids)
    return credentials_header(visitor.username, visitor.group_names)


def _page(
    start_response: StartResponse,
    status: str,
    title: str,
    body: str,
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    page = render(title, body).encode()
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            *headers,
        ],
    )
    return [page]


def _query(environ: Environ) -> str:
    """``?<query string>``, or nothing when there is none."""
    return f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""


def _redirect(start_response: StartResponse, status: str, location: str) -> list[bytes]:
    start_response(status, [("Location", location), ("Content-Length", "0")])
    return [b""]


class ContentProxy:
    def __init__(
        self,
        store: Store,
        config: ApiConfig,
        deployer: Deployer,
        default_visitor: str | None,
        sessions: Sessions,
        credentials_use_guids: bool = False,
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.config = config
        self.deployer = deployer
        self.default_visitor = default_visitor
        self.use_guids = credentials_use_guids

    # -- routing -----------------------------------------------------------------------

    def route(self, path: str) -> tuple[str, str | None, str, str] | None:
        """(guid, draft bundle id, path for the app, mount point) or None if not content."""
        match = CONTENT_PATH.match(path)
        if match:
            guid, bundle = match["guid"].lower(), match["bundle"]
            mount = f"/content/{guid}" + (f"/_bundle{bundle}" if bundle else "")
            return guid, bundle, match["rest"] or "", mount
        with self.store.read() as state:
            vanities = dict(state["vanities"])
        for guid, vanity in vanities.items():
            if path == vanity.rstrip("/") or path.startswith(vanity):
                return guid, None, path[len(vanity) - 1 :], vanity.rstrip("/")
        return None

    def visitor(self, environ: Environ) -> Principal:
        key_owner = visitor_from_key(self.store, self.config, environ.get("HTTP_AUTHORIZATION"))
        if key_owner is not None:
            return key_owner
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        chosen = cookie.get(VISITOR_COOKIE)
        if chosen is not None:
            username = self.sessions.username_from(chosen.value)
            if chosen.value == ANONYMOUS_COOKIE_VALUE or username is None:
                return (
                    ANONYMOUS_PRINCIPAL  # chosen anonymity, or a cookie the stand-in did not sign
                )
            return visitor_for(self.store, username)
        if self.default_visitor:
            return visitor_for(self.store, self.default_visitor)
        return ANONYMOUS_PRINCIPAL

    # -- WSGI --------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        routed = self.route(path)
        if routed is None:
            return _page(start_response, "404 Not Found", "Not found", "<p>No content here.</p>")
        guid, bundle_id, rest, mount = routed
        with self.store.read() as state:
            content = state["content"].get(guid)
            permissions = list(state["permissions"].get(guid, []))
            bundles = state["bundles"].get(guid, {})
            associated = bool(state["oauth_associations"].get(guid))
        if content is None or (bundle_id is not None and bundle_id not in bundles):
            return _page(
                start_response,
                "404 Not Found",
                "Content not found",
                f"<p>No content {html.escape(guid)}"
                + (f" with a bundle {html.escape(bundle_id)}" if bundle_id else "")
                + ".</p>",
            )
        if not rest:
            return _redirect(start_response, "301 Moved Permanently", mount + "/" + _query(environ))
        visitor = self.visitor(environ)
        decision = decide(content, permissions, visitor)
        if bundle_id is not None and not is_editor(content, permissions, visitor):
            # drafts are for the content's editors only, whatever its access type
            decision = Decision.DENY if not visitor.is_anonymous else Decision.LOGIN
        if decision is Decision.LOGIN:
            target = quote(path + _query(environ))
            return _redirect(start_response, "302 Found", f"/__login__?next={target}")
        if decision is Decision.DENY:
            who = html.escape(visitor.username or "")
            return _page(
                start_response,
                "403 Forbidden",
                "You do not have access to this content",
                f"<p>{who} is not the owner and not on this content's access list.</p>",
            )
        try:
            app = self.deployer.running(guid, bundle_id)
        except (AppStartError, BuildError) as error:
            return _page(
                start_response,
                "502 Bad Gateway",
                "The content could not start",
                f"<pre>{html.escape(str(error))}</pre>",
            )
        session = self.session_token(guid, visitor) if associated else None
        served = bundle_id or content.get("bundle_id")

        def visited() -> None:
            record_visit(self.store, guid, served, visitor, rest)

        return self._forward(
            environ, start_response, app.socket_path, rest, visitor, session, visited
        )

    def session_token(self, guid: str, visitor: Principal) -> str | None:
        """The visitor's user session token for content associated with an OAuth
        integration; anonymous visitors have no session."""
        if visitor.is_anonymous or visitor.user_guid is None:
            return None
        return self.config.mint.session_token(visitor.user_guid, guid)

    def _forward(
        self,
        environ: Environ,
        start_response: StartResponse,
        socket_path: Any,
        rest: str,
        visitor: Principal,
        session_token: str | None = None,
        on_page_view: Callable[[], None] | None = None,
    ) -> Iterable[bytes]:
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").lower()
                if name in HOP_BY_HOP or name in CONNECT_OWNED:
                    continue
                if name == "authorization" and value.lower().startswith("key "):
                    continue  # Connect consumes API keys; the app never sees them
                headers[name] = value
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        credentials = visitor_credentials(visitor, self.use_guids)
        if credentials is not None:
            headers["rstudio-connect-credentials"] = credentials
        if session_token is not None:
            headers["posit-connect-user-session-token"] = session_token
        headers["x-forwarded-host"] = environ.get("HTTP_HOST", "")
        headers["x-forwarded-proto"] = environ.get("wsgi.url_scheme", "http")
        body = self._read_body(environ)
        if body is not None:
            headers["content-length"] = str(len(body))
        target = quote(rest, safe="/%:@!$&'()*+,;=-._~")
        target += _query(environ)
        connection = UnixHTTPConnection(socket_path)
        try:
            connection.request(environ["REQUEST_METHOD"], target, body=body, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            return _page(
                start_response,
                "502 Bad Gateway",
                "The content did not answer",
                f"<pre>{html.escape(repr(error))}</pre>",
            )
        out_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        content_type = response.getheader("Content-Type") or ""
        if on_page_view is not None and is_page_view(
            environ["REQUEST_METHOD"], response.status, content_type
        ):
            on_page_view()
        start_response(f"{response.status} {response.reason}", out_headers)
        return self._stream(connection, response)

    @staticmethod
    def _read_body(environ: Environ) -> bytes | None:
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH")
        if stream is None:
            return None
        if length:
            return stream.read(int(length))
        if environ.get("wsgi.input_terminated"):
            data = stream.read()
            return data or None
        return None

    @staticmethod
    def _stream(
        connection: UnixHTTPConnection, response: http.client.HTTPResponse
    ) -> Iterator[bytes]:
        try:
            while True:
                chunk = (
                    response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
                )
                if not chunk:
                    break
                yield chunk
        finally:
            connection.close()
