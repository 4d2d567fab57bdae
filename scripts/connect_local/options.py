"""The stand-in's command line: ``python -m scripts.connect_local --help``."""

from __future__ import annotations

import argparse
import os
import re
import tomllib
from pathlib import Path

from scripts.catalog import REPO_ROOT, discover_apps
from scripts.connect_local.api.oauth import TEMPLATES
from scripts.connect_local.content_settings import Policy
from scripts.connect_local.directory import ROLES
from scripts.connect_local.oauth_tokens import DEFAULT_TTL_S
from scripts.connect_rules.limits import ACCESS_TYPES

# New enough for rsconnect's draft -> verify -> activate flow (2025.06.0+) and
# for multipart uploads with git metadata (newer than 2025.11.0). It promises
# endpoints the stand-in lacks (jobs, lockfile, packages...): those answer 404
# code 2, as Connect answers any path it does not have.
DEFAULT_VERSION = "2026.01.0"


def groups_named_by_apps() -> list[str]:
    """Every group an app's ``[tool.monorepo.deploy] groups`` names, exactly as written."""
    names: set[str] = set()
    for app in discover_apps():
        deploy = app.settings().get("deploy")
        groups = deploy.get("groups", []) if isinstance(deploy, dict) else []
        names.update(g for g in groups if isinstance(g, str) and g.strip())
    return sorted(names)


def tags_named_by_apps(workspace: Path = REPO_ROOT) -> list[str]:
    """Every tag path the team (root ``[tool.monorepo.team] tags``) and the apps'
    ``[tool.monorepo.deploy] tags`` name, exactly as written."""
    root = tomllib.loads((workspace / "pyproject.toml").read_text())
    team = root.get("tool", {}).get("monorepo", {}).get("team", {})
    paths = set(_strings(team.get("tags") if isinstance(team, dict) else None))
    for app in discover_apps(workspace / "apps"):
        deploy = app.settings().get("deploy")
        paths.update(_strings(deploy.get("tags") if isinstance(deploy, dict) else None))
    return sorted(paths)


def _strings(value: object) -> list[str]:
    """The non-blank strings of a list setting (a bad one is the deploy's to report)."""
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


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


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server")
    group.add_argument("--host", default="127.0.0.1", help="bind address (keep it loopback)")
    group.add_argument("--port", type=int, default=3939, help="0 picks a free port")
    group.add_argument("--state-dir", default="build/connect-local", help="where state lives")
    group.add_argument(
        "--environments-dir",
        default="",
        help="where built virtualenvs live (default STATE_DIR/environments; may be shared)",
    )
    group.add_argument("--version", default=DEFAULT_VERSION, help="Connect version to report")
    group.add_argument(
        "--python-versions",
        type=python_versions,
        default=(),
        metavar="3.11.7,3.12.1",
        help="the Python versions the server has (default: the one running the stand-in); "
        "a bundle asking for another one fails to build",
    )


def _add_people_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("users, keys and visitors")
    group.add_argument(
        "--api-key",
        default=os.environ.get("CONNECT_LOCAL_API_KEY", ""),
        help="the API key clients must send (default: $CONNECT_LOCAL_API_KEY, else random)",
    )
    group.add_argument("--api-user", default="publisher", help="the publisher --api-key belongs to")
    group.add_argument(
        "--user-key",
        action="append",
        type=user_key_spec,
        default=[],
        metavar="NAME:ROLE:KEY",
        help=f"a user with its own API key; ROLE: {', '.join(ROLES)} (repeatable)",
    )
    group.add_argument(
        "--login-token",
        default=os.environ.get("CONNECT_LOCAL_LOGIN_TOKEN", ""),
        help="what /__login__ asks for before it lets you pick a visitor "
        "(default: $CONNECT_LOCAL_LOGIN_TOKEN, else random; printed at start)",
    )
    group.add_argument(
        "--visitor",
        default="",
        help="default visitor for content requests, NAME[:GROUP,GROUP] (default anonymous)",
    )
    group.add_argument(
        "--user",
        action="append",
        default=[],
        help="register a user NAME[:GROUP,GROUP] (repeatable)",
    )
    group.add_argument(
        "--groups-from-apps",
        action="store_true",
        help="create the groups the apps' [tool.monorepo.deploy] settings name "
        "(so make deploy-all finds them; make connect-local passes it)",
    )
    group.add_argument(
        "--tags-from-apps",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start with the tag paths the team's and the apps' settings name, as an "
        "administrator makes them once on a server (default; --no-tags-from-apps: none)",
    )
    group.add_argument(
        "--credentials-use-guids",
        action="store_true",
        help="send GUIDs instead of names in RStudio-Connect-Credentials",
    )


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("content policy (Connect's defaults unless given)")
    group.add_argument(
        "--default-access-type",
        choices=ACCESS_TYPES,
        default="acl",
        help="access type of new content (Connect's default: acl)",
    )
    group.add_argument(
        "--most-permissive-access-type",
        choices=ACCESS_TYPES,
        default="all",
        help="the most permissive access type content may have (PATCH beyond it: 400 code 118)",
    )
    group.add_argument(
        "--max-processes-limit",
        type=positive_int,
        default=20,
        help="the highest max_processes content may ask for (above: 400 code 113)",
    )
    group.add_argument(
        "--default-max-processes",
        type=positive_int,
        default=3,
        help="max_processes of content that sets none (min_processes above it: 400 code 114)",
    )


def integration_spec(spec: str) -> tuple[str, str]:
    """``Connect API:connect`` -> ("Connect API", "connect"): a name and a template."""
    name, _, template = spec.rpartition(":")
    if not name.strip() or template not in TEMPLATES:
        raise argparse.ArgumentTypeError(
            f"--oauth-integration {spec!r}: expected NAME:TEMPLATE with TEMPLATE one of "
            f"{', '.join(TEMPLATES)}"
        )
    return name.strip(), template


def _add_oauth_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OAuth integrations (acting as the visitor)")
    group.add_argument(
        "--oauth-integration",
        action="append",
        type=integration_spec,
        default=[],
        metavar="NAME:TEMPLATE",
        help="an OAuth integration (repeatable; default: one 'Connect API:connect')",
    )
    group.add_argument(
        "--session-token-ttl",
        type=positive_int,
        default=DEFAULT_TTL_S,
        help="seconds a visitor's user session token lives (default %(default)s)",
    )
    group.add_argument(
        "--session-token-secret",
        default="",
        help="the key session tokens are signed with (default: random at each start; "
        "tests give one to sign tokens of their own)",
    )


def _add_identity_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("OIDC token exchange (keyless deploys)")
    group.add_argument(
        "--identity-trust",
        default="",
        metavar="FILE",
        help="a JSON file of trusted issuers (with their JWKS) and rules mapping issuer, "
        "audience and subject to a service account (scripts/connect_local/identity_trust.py); "
        "without it the server has no token exchange",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.connect_local",
        description="A local stand-in for Posit Connect (development and tests only).",
    )
    _add_server_options(parser)
    _add_people_options(parser)
    _add_policy_options(parser)
    _add_oauth_options(parser)
    _add_identity_options(parser)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options, or exit 2 naming the ones that contradict each other."""
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
    return args
