"""Wire the stand-in together and serve it: ``python -m scripts.connect_local``.

A threaded werkzeug server on 127.0.0.1 (it decodes chunked uploads, which
rsconnect sends without Content-Length). ``--port 0`` picks a free port; the
ready line ``connect-local serving at <url>`` says which.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from scripts.connect_local import api, pages
from scripts.connect_local.access import ACCESS_TYPES
from scripts.connect_local.app_processes import ProcessManager
from scripts.connect_local.deployer import Deployer, ServerIdentity
from scripts.connect_local.directory import ensure_user, register_visitor
from scripts.connect_local.faults import Faults
from scripts.connect_local.proxy import ContentProxy
from scripts.connect_local.store import Store
from scripts.connect_local.tasks import TaskRegistry
from scripts.ports import PortBusyError, check_port_free

# New enough for rsconnect's draft -> verify -> activate flow (2025.06.0+) and
# for multipart uploads with git metadata (newer than 2025.11.0).
DEFAULT_VERSION = "2026.01.0"
READY_MESSAGE = "connect-local serving at {url} (state: {state_dir})"
OWN_PREFIXES = ("/__api__", "/__faults__", "/__login__", "/__ping__", "/connect/")

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


class StandIn:
    """Every part of the stand-in, built from the command-line options."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.store = Store(Path(args.state_dir))
        api_user = ensure_user(self.store, args.api_user, role="administrator")
        for spec in args.user:
            register_visitor(self.store, spec)
        default_visitor = None
        if args.visitor:
            default_visitor = register_visitor(self.store, args.visitor).username
        self.faults = Faults()
        self.tasks = TaskRegistry()
        self.processes = ProcessManager(self.store.state_dir / "run")
        self.identity = ServerIdentity(api_key=args.api_key)
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
            default_access_type=args.default_access_type,
        )
        self.proxy = ContentProxy(
            self.store, self.config, self.deployer, default_visitor, args.credentials_use_guids
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.connect_local",
        description="A local stand-in for Posit Connect (development and tests only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (keep it loopback)")
    parser.add_argument("--port", type=int, default=3939, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("CONNECT_LOCAL_API_KEY", ""),
        help="the API key clients must send (default: $CONNECT_LOCAL_API_KEY, else random)",
    )
    parser.add_argument("--api-user", default="publisher", help="user name the key belongs to")
    parser.add_argument("--state-dir", default="build/connect-local", help="where state lives")
    parser.add_argument(
        "--environments-dir",
        default="",
        help="where built virtualenvs live (default STATE_DIR/environments; may be shared)",
    )
    parser.add_argument("--version", default=DEFAULT_VERSION, help="Connect version to report")
    parser.add_argument(
        "--visitor",
        default="",
        help="default visitor for content requests, NAME[:GROUP,GROUP] (default anonymous)",
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        help="register a user NAME[:GROUP,GROUP] (repeatable)",
    )
    parser.add_argument(
        "--default-access-type",
        choices=ACCESS_TYPES,
        default="acl",
        help="access type of new content (Connect's default: acl)",
    )
    parser.add_argument(
        "--credentials-use-guids",
        action="store_true",
        help="send GUIDs instead of names in RStudio-Connect-Credentials",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
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
    StandIn(args).serve(args.host, args.port)
