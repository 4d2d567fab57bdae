"""Serve one app the way Posit Connect does: ``make run APP=name``.

- under ``/content/<id>/`` (``/`` redirects there), with
  ``DASH_REQUESTS_PATHNAME_PREFIX`` set before the app is imported;
- the working directory and import path set to the app folder, as in a bundle;
- ``RStudio-Connect-Credentials`` set for every request from ``--user`` and
  ``--groups`` (anonymous without ``--user``; a client's own header is dropped);
  with ``--visitor-keys``, a request with ``Authorization: Key <key>`` visits as
  that key's user instead, as on Connect (the load test's simulated visitors);
- a real WSGI server (gunicorn, threaded worker), ``--reload`` for development.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from connectkit.credentials import credentials_header
from connectkit.trust import LOCAL_RUNNER, TRUSTED_FRONTEND_ENV

from scripts.catalog import (
    AppInfo,
    UnknownAppError,
    celery_app_of,
    discover_apps,
    find_app,
    listing,
)
from scripts.connect_rules.vanity import normalise_vanity
from scripts.ports import PortBusyError, check_port_free
from scripts.runner.frontend import (
    ConnectLikeFrontend,
    normalise_prefix,
)
from scripts.runner.shutdown import stop
from scripts.runner.worker import REDIS_URL_ENV, start_worker

READY_MESSAGE = "Serving {name} at {url}"


def start_jobs_worker(name: str, app_dir: Path) -> subprocess.Popen[bytes] | None:
    """The app's Celery worker when it has background jobs and REDIS_URL is set."""
    app = AppInfo(name, app_dir)
    if celery_app_of(app) is None or not os.environ.get(REDIS_URL_ENV, "").strip():
        return None
    print(f"REDIS_URL is set: starting {name}'s Celery worker beside the web process", flush=True)
    return start_worker(app, os.environ)


def load_dash_app(app_dir: Path) -> Any:
    """Import ``app:app`` from ``app_dir`` as Connect does (folder on sys.path)."""
    os.chdir(app_dir)
    sys.path.insert(0, str(app_dir))
    module = importlib.import_module("app")
    dash_app = getattr(module, "app", None)
    if dash_app is None or not hasattr(dash_app, "server"):
        raise SystemExit(f"{app_dir / 'app.py'} defines no Dash object named `app`")
    return dash_app


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", nargs="?", help="app name (a folder under apps/)")
    parser.add_argument("--app-dir", type=Path, help="serve this folder instead of apps/<app>")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050, help="0 picks a free port")
    parser.add_argument("--prefix", help="URL prefix (default /content/<app>/)")
    parser.add_argument("--vanity", help="also serve the index at this vanity path, as Connect")
    parser.add_argument("--user", default="", help="visitor's user name (empty: anonymous)")
    parser.add_argument("--groups", default="", help="visitor's groups, comma-separated")
    parser.add_argument(
        "--ignored-user",
        default="",
        help="a USER make did not use (the login shell's): named in the visitor line",
    )
    parser.add_argument("--credentials", help="raw header value to send instead (testing)")
    parser.add_argument(
        "--visitor-keys",
        type=Path,
        help='JSON file {"<api key>": {"user": "...", "groups": [...]}}: visitors by API key',
    )
    parser.add_argument("--reload", action="store_true", help="restart on code changes")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--processes", type=int, default=1, help="gunicorn worker processes (Connect's processes)"
    )
    return parser


def resolve_app_dir(args: argparse.Namespace) -> tuple[str, Path]:
    if args.app_dir:
        app_dir = args.app_dir.resolve()
        if not (app_dir / "app.py").is_file():
            raise SystemExit(f"{app_dir} has no app.py")
        return app_dir.name, app_dir
    if not args.app:
        apps = discover_apps()
        names = [a.name for a in apps]
        example = "hello" if "hello" in names else (names or ["my-app"])[0]
        raise SystemExit(
            f"APP is not set: type, for example,\n  make run APP={example}\n"
            f"with one of these apps:\n{listing(apps)}"
        )
    try:
        return args.app, find_app(args.app).path
    except UnknownAppError as error:
        raise SystemExit(f"error: APP={args.app}: {error}") from None


def describe_visitor(app: str, user: str, groups: list[str], ignored_user: str = "") -> str:
    """Who the credentials header will name, and why: nothing about it is silent."""
    after_make = f"make run APP={app} USER={user or 'alice'} GROUPS=a,b"
    if user:
        if groups:
            return f"visitor: {user}, groups {', '.join(groups)}"
        # bash never exports GROUPS (its own variable): `GROUPS=a make ...` passes nothing.
        return (
            f"visitor: {user}, in no groups (no GROUPS= reached make; bash drops GROUPS=... "
            f"written before a command, so write it after: {after_make})"
        )
    ignored = []
    if ignored_user:
        ignored.append(f"USER={ignored_user} is your login name (from your shell), not a visitor")
    if groups:
        ignored.append(f"GROUPS={','.join(groups)} is ignored without a USER")
    if not ignored:
        return "visitor: anonymous (USER= and GROUPS= make one)"
    return f"visitor: anonymous. {'; '.join(ignored)}; to visit as someone: {after_make}"


def acts_as_visitor_note(name: str, app_dir: Path, user: str) -> str | None:
    """For an app that acts as its visitor (``deploy.oauth_integrations``): what to run.

    Only Connect mints the session token such an app exchanges, so ``make run``
    serves it without one and its page says so; the stand-in has the rest.
    """
    deploy = AppInfo(name, app_dir).settings().get("deploy", {})
    if not isinstance(deploy, dict) or not deploy.get("oauth_integrations"):
        return None
    who = user or "alice"
    return (
        f"note: {name} acts as its visitor through Connect's OAuth session-token exchange, "
        "which needs a Connect server: served here, its page explains why it lists nothing.\n"
        "To see it work without a Connect server, use the local stand-in:\n"
        f"  make connect-local API_KEY=dev-key USER={who}     # terminal 1\n"
        f"  CONNECT_SERVER=http://127.0.0.1:3939 CONNECT_API_KEY=dev-key make deploy APP={name}\n"
        f"then open the content URL the deploy prints (you visit as {who})."
    )


def visitor_credentials(args: argparse.Namespace, name: str, app_dir: Path) -> str | None:
    """The header the runner sends for every request; says who the visitor is, and why."""
    groups = [g for g in args.groups.split(",") if g]
    if args.credentials is not None:
        credentials: str | None = args.credentials
    else:
        credentials = credentials_header(args.user, groups)
        print(describe_visitor(name, args.user, groups, args.ignored_user), flush=True)
    note = acts_as_visitor_note(name, app_dir, args.user)
    if note:
        print(note, flush=True)
    return credentials


def read_visitor_keys(path: Path | None) -> dict[str, str | None]:
    """``--visitor-keys``: each API key's credentials header (keys stay off the command line)."""
    if path is None:
        return {}
    try:
        table = json.loads(path.read_text())
        return {
            str(key): credentials_header(str(who["user"]), [str(g) for g in who.get("groups", [])])
            for key, who in table.items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise SystemExit(
            f"error: --visitor-keys {path}: {error!r}; expected a JSON object "
            '{"<api key>": {"user": "name", "groups": ["a", "b"]}}'
        ) from None


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    name, app_dir = resolve_app_dir(args)
    prefix = normalise_prefix(args.prefix or f"/content/{name}/")
    try:
        vanity = normalise_vanity(args.vanity) if args.vanity else None
    except ValueError as error:
        raise SystemExit(f"error: --vanity: {error}") from None
    credentials = visitor_credentials(args, name, app_dir)
    visitor_keys = read_visitor_keys(args.visitor_keys)
    try:
        check_port_free(args.host, args.port, f"make run APP={name}")
    except PortBusyError as error:
        raise SystemExit(f"error: {error}") from None

    # Dash reads its prefix once, when Dash() is built: set it before the import.
    os.environ["DASH_REQUESTS_PATHNAME_PREFIX"] = prefix
    os.environ[TRUSTED_FRONTEND_ENV] = LOCAL_RUNNER  # tells connectkit the header is ours

    from gunicorn.app.base import BaseApplication  # the real server, as in production

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"{args.host}:{args.port}",
                "worker_class": "gthread",
                "workers": args.processes,
                "threads": args.threads,
                "reload": args.reload,
                "timeout": 120,  # large apps build their data at import
                "graceful_timeout": 5,
                "loglevel": "warning",
                "when_ready": announce,
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            dash_app = load_dash_app(app_dir)
            return ConnectLikeFrontend(dash_app.server, prefix, credentials, vanity, visitor_keys)

    def announce(server: Any) -> None:
        port = server.LISTENERS[0].sock.getsockname()[1]
        url = f"http://{args.host}:{port}{prefix}"
        who = args.user or "anonymous"
        print(READY_MESSAGE.format(name=name, url=url) + f" (visitor: {who})", flush=True)

    # An app with background jobs and REDIS_URL set: its Celery worker runs beside.
    worker = start_jobs_worker(name, app_dir)
    try:
        Server().run()
    finally:
        if worker is not None:
            stop(worker)


if __name__ == "__main__":
    main()
