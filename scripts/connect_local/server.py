"""Wire the stand-in together and serve it: ``python -m scripts.connect_local``.

A threaded werkzeug server on 127.0.0.1 (it decodes chunked uploads, which
rsconnect sends without Content-Length). ``--port 0`` picks a free port; the
ready line ``connect-local serving at <url>`` says which.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from scripts.catalog import discover_apps
from scripts.connect_local import api, pages
from scripts.connect_local.access import ACCESS_TYPES
from scripts.connect_local.app_processes import ProcessManager
from scripts.connect_local.content_settings import Policy
from scripts.connect_local.deployer import Deployer, ServerIdentity
from scripts.connect_local.directory import ROLES, ensure_group, register_visitor, set_role
from scripts.connect_local.faults import Faults
from scripts.connect_local.proxy import ContentProxy
from scripts.connect_local.sessions import Sessions
from scripts.connect_local.store import Store
from scripts.connect_local.tasks import TaskRegistry

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
        api_user = set_role(self.store, args.api_user, "publisher")
        keys = {key: set_role(self.store, name, role)["guid"] for name, role, key in args.user_key}
        for spec in args.user:
            register_visitor(self.store, spec)
        for group in groups_named_by_apps() if args.groups_from_apps else ():
            ensure_group(self.store, group)
        default_visitor = None
        if args.visitor:
            default_visitor = register_visitor(self.store, args.visitor).username
        self.faults = Faults()
        self.tasks = TaskRegistry()
        self.processes = ProcessManager(self.store.state_dir / "run")
        self.identity = ServerIdentity(api_key=args.api_key, python_versions=args.python_versions)
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


def groups_named_by_apps() -> list[str]:
    """Every group an app's ``[tool.monorepo.deploy] groups`` names, exactly as written."""
    names: set[str] = set()
    for app in discover_apps():
        deploy = app.settings().get("deploy")
        groups = deploy.get("groups", []) if isinstance(deploy, dict) else []
        names.update(g for g in groups if isinstance(g, str) and g.strip())
    return sorted(names)


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def python_versions(text: str) -> tuple[str, ...]:
    versions = tuple(v.strip() for v in text.split(",") if v.strip())
    if not versions or not all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions):
        raise argparse.ArgumentTypeError(f"{text!r}: expected versions like 3.11.7,3.12.1")
    return versions


def user_key_spec(spec: str) -> tuple[str, str, str]:
    """``bob:publisher:bob-key`` -> ("bob", "publisher", "bob-key")."""
    name, _, rest = spec.partition(":")
    role, _, key = rest.partition(":")
    if not name or role not in ROLES or not key:
        raise argparse.ArgumentTypeError(
            f"--user-key {spec!r}: expected NAME:ROLE:KEY with ROLE one of {', '.join(ROLES)}"
        )
    return name, role, key


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
    parser.add_argument(
        "--api-user", default="publisher", help="the publisher --api-key belongs to"
    )
    parser.add_argument(
        "--user-key",
        action="append",
        type=user_key_spec,
        default=[],
        metavar="NAME:ROLE:KEY",
        help=f"a user with its own API key; ROLE: {', '.join(ROLES)} (repeatable)",
    )
    parser.add_argument(
        "--login-token",
        default=os.environ.get("CONNECT_LOCAL_LOGIN_TOKEN", ""),
        help="what /__login__ asks for before it lets you pick a visitor "
        "(default: $CONNECT_LOCAL_LOGIN_TOKEN, else random; printed at start)",
    )
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
        "--groups-from-apps",
        action="store_true",
        help="create the groups the apps' [tool.monorepo.deploy] settings name "
        "(so make deploy-all finds them; make connect-local passes it)",
    )
    parser.add_argument(
        "--default-access-type",
        choices=ACCESS_TYPES,
        default="acl",
        help="access type of new content (Connect's default: acl)",
    )
    parser.add_argument(
        "--most-permissive-access-type",
        choices=ACCESS_TYPES,
        default="all",
        help="the most permissive access type content may have (PATCH beyond it: 400 code 118)",
    )
    parser.add_argument(
        "--max-processes-limit",
        type=positive_int,
        default=20,
        help="the highest max_processes content may ask for (above: 400 code 113)",
    )
    parser.add_argument(
        "--default-max-processes",
        type=positive_int,
        default=3,
        help="max_processes of content that sets none (min_processes above it: 400 code 114)",
    )
    parser.add_argument(
        "--python-versions",
        type=python_versions,
        default=(),
        metavar="3.11.7,3.12.1",
        help="the Python versions the server has (default: the one running the stand-in); "
        "a bundle asking for another one fails to build",
    )
    parser.add_argument(
        "--credentials-use-guids",
        action="store_true",
        help="send GUIDs instead of names in RStudio-Connect-Credentials",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not Policy(args.most_permissive_access_type).allows(args.default_access_type):
        parser.error(
            f"--default-access-type {args.default_access_type} is more permissive than "
            f"--most-permissive-access-type {args.most_permissive_access_type}"
        )
    if args.default_max_processes > args.max_processes_limit:
        parser.error(
            f"--default-max-processes {args.default_max_processes} is above "
            f"--max-processes-limit {args.max_processes_limit}"
        )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: binding {args.host}: connect-local is not a server to expose",
            file=sys.stderr,
        )
    if not args.api_key:
        args.api_key = secrets.token_hex(16)
        print(f"API key (random, pass --api-key to fix it): {args.api_key}", flush=True)
    args.login_token = args.login_token or secrets.token_hex(8)
    print(f"Login token (POST /__login__ to pick a visitor): {args.login_token}", flush=True)
    StandIn(args).serve(args.host, args.port)
