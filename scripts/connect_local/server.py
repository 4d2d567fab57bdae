"""Wire the stand-in together and serve it: ``python -m scripts.connect_local``.

The options are in ``options``.

A threaded werkzeug server on 127.0.0.1 (it decodes chunked uploads, which
rsconnect sends without Content-Length). ``--port 0`` picks a free port; the
ready line ``connect-local serving at <url>`` says which.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from scripts.connect_local import api, pages, token_exchange
from scripts.connect_local.api.oauth import DEFAULT_INTEGRATIONS, ensure_integrations
from scripts.connect_local.api.tags import ensure_tag_path
from scripts.connect_local.app_processes import ProcessManager
from scripts.connect_local.content_settings import Policy
from scripts.connect_local.deployer import Deployer, ServerIdentity
from scripts.connect_local.directory import ensure_group, register_visitor, set_role
from scripts.connect_local.faults import Faults
from scripts.connect_local.identity_trust import TrustFileError, load_trust
from scripts.connect_local.oauth_tokens import TokenMint
from scripts.connect_local.options import groups_named_by_apps, parse_args, tags_named_by_apps
from scripts.connect_local.proxy import ContentProxy
from scripts.connect_local.sessions import Sessions
from scripts.connect_local.store import Store
from scripts.connect_local.tasks import TaskRegistry
from scripts.ports import PortBusyError, check_port_free

READY_MESSAGE = "connect-local serving at {url} (state: {state_dir})"
OWN_PREFIXES = (
    *("/__api__", "/__faults__", "/__login__", "/__ping__", "/connect/"),
    *("/__oauth__/", "/.well-known/"),  # the token exchange (token_exchange)
)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class Dispatcher:
    """Content paths (``/content/...`` and vanity URLs) go to the proxy, the rest to Flask."""

    def __init__(self, flask_app: Flask, proxy: ContentProxy) -> None:
        self.flask_app = flask_app
        self.proxy = proxy

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path != "/" and not path.startswith(OWN_PREFIXES) and self.proxy.route(path):
            return self.proxy(environ, start_response)
        return self.flask_app(environ, start_response)


def oauth_setup(args: argparse.Namespace, store: Store) -> TokenMint:
    """The OAuth integrations the options name, and the mint of keys and session tokens."""
    ensure_integrations(store, args.oauth_integration or DEFAULT_INTEGRATIONS)
    secret = args.session_token_secret.encode() or secrets.token_bytes(32)
    return TokenMint(secret=secret, ttl_s=args.session_token_ttl)


def seed(store: Store, args: argparse.Namespace) -> tuple[Any, dict[str, str], str | None]:
    """The users, keys, groups and tags the options name: the API key's user, each
    extra key's user GUID, and the default visitor's name (None: anonymous)."""
    api_user = set_role(store, args.api_user, "publisher")
    keys = {key: set_role(store, name, role)["guid"] for name, role, key in args.user_key}
    for spec in args.user:
        register_visitor(store, spec)
    for group in groups_named_by_apps() if args.groups_from_apps else ():
        ensure_group(store, group)
    for path in tags_named_by_apps() if args.tags_from_apps else ():
        ensure_tag_path(store, path)
    default_visitor = register_visitor(store, args.visitor).username if args.visitor else None
    return api_user, keys, default_visitor


class StandIn:
    """Every part of the stand-in, built from the command-line options."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.store = Store(Path(args.state_dir))
        api_user, keys, default_visitor = seed(self.store, args)
        self.faults = Faults()
        self.tasks = TaskRegistry()
        self.processes = ProcessManager(self.store.state_dir / "run")
        mint = oauth_setup(args, self.store)
        try:
            trust = load_trust(Path(args.identity_trust)) if args.identity_trust else None
        except TrustFileError as error:
            raise SystemExit(f"error: {error}") from None
        self.identity = ServerIdentity(python_versions=args.python_versions, mint=mint)
        self.deployer = Deployer(
            self.store,
            self.tasks,
            self.processes,
            self.faults,
            self.identity,
            Path(args.environments_dir) if args.environments_dir else None,
        )
        self.config = api.ApiConfig(
            api_key=args.api_key,
            api_user_guid=api_user["guid"],
            version=args.version,
            policy=Policy(
                most_permissive_access_type=args.most_permissive_access_type,
                max_processes_limit=args.max_processes_limit,
                default_max_processes=args.default_max_processes,
                default_access_type=args.default_access_type,
            ),
            keys={args.api_key: api_user["guid"], **keys},
            mint=mint,
        )
        self.proxy = ContentProxy(
            self.store,
            self.config,
            self.deployer,
            default_visitor,
            Sessions(args.login_token),
            args.credentials_use_guids,
        )
        flask_app = Flask("connect_local")
        api.install(
            flask_app,
            store=self.store,
            config=self.config,
            deployer=self.deployer,
            faults=self.faults,
            tasks=self.tasks,
        )
        pages.install(flask_app, proxy=self.proxy, processes=self.processes)
        token_exchange.install(flask_app, trust=trust, mint=mint, store=self.store)
        self.wsgi = Dispatcher(flask_app, self.proxy)

    def serve(self, host: str, port: int) -> None:
        server: BaseWSGIServer = make_server(host, port, self.wsgi, threaded=True)
        self.identity.url = f"http://{host}:{server.server_port}"
        stop = threading.Event()

        def request_stop(*_: object) -> None:
            if not stop.is_set():
                stop.set()
                threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.deployer.bring_up_all()
        print(
            READY_MESSAGE.format(url=self.identity.url, state_dir=self.store.state_dir),
            flush=True,
        )
        try:
            server.serve_forever()
        finally:
            self.deployer.shutdown()
            server.server_close()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: binding {args.host}: connect-local is not a server to expose",
            file=sys.stderr,
        )
    try:
        check_port_free(args.host, args.port, "make connect-local")
    except PortBusyError as error:
        raise SystemExit(f"error: {error}") from None
    if not args.api_key:
        args.api_key = secrets.token_hex(16)
        print(
            f"API key (random, new on every start; choose one with "
            f"make connect-local API_KEY=dev-key): {args.api_key}",
            flush=True,
        )
    args.login_token = args.login_token or secrets.token_hex(8)
    print(f"Login token (POST /__login__ to pick a visitor): {args.login_token}", flush=True)
    StandIn(args).serve(args.host, args.port)
