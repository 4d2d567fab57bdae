"""A database password never reaches a message: every output is searched for it.

The rule: a database URL printed or raised anywhere is rendered with its password
hidden (``sales.settings.shown_url``: SQLAlchemy's ``render_as_string(hide_password=True)``).
Tried the ways a URL goes wrong: an unreachable host, a wrong password on a
reachable server (the tests' own PostgreSQL), and malformed URLs, through
``make data`` (``python -m sales.load``) and the dashboard's start-up
(``ensure_demo_data``, what its backend runs first).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from scripts.catalog import REPO_ROOT
from scripts.runner.postgres import PostgresServer
from tests.support.databases import dashboard_modules

APP_DIR = REPO_ROOT / "apps" / "group-dashboard"
PASSWORD = f"Pw{secrets.token_hex(12)}"  # no part of it may show anywhere
TAIL = f"Tl{secrets.token_hex(12)}"  # after an unencoded "@" in a password
START_UP = (
    "from sales.load import ensure_demo_data\n"
    "from sales.settings import load_settings\n"
    "settings = load_settings()\n"
    "ensure_demo_data(settings.database, 10)\n"
)


def bad_urls(port: int) -> dict[str, str]:
    return {
        "unreachable-port": f"postgresql://dashboard:{PASSWORD}@127.0.0.1:1/sales",
        "unknown-host": f"postgresql://dashboard:{PASSWORD}@db.invalid:5432/sales",
        "wrong-password": f"postgresql://dashboard:{PASSWORD}@127.0.0.1:{port}/sales",
        "port-not-a-number": f"postgresql://dashboard:{PASSWORD}@127.0.0.1:x{port}/sales",
        "broken-ipv6": f"postgresql://dashboard:{PASSWORD}@[::1/sales",
        "no-host": f"postgresql://dashboard:{PASSWORD}@/sales",
        "unencoded-at": f"postgresql://dashboard:{PASSWORD}@{TAIL}@127.0.0.1:{port}/sales",
        "other-database": f"mysql://dashboard:{PASSWORD}@127.0.0.1:{port}/sales",
    }


CASES = list(bad_urls(0))


def run(command: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        command,
        cwd=APP_DIR,
        env={**env, "DATABASE_URL": url, "DASHBOARD_ROWS": "10"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("step", ["make-data", "start-up"])
def test_no_output_holds_the_password(
    case: str, step: str, postgres_server: PostgresServer
) -> None:
    url = bad_urls(postgres_server.port)[case]
    command = [sys.executable, "-m", "sales.load"] if step == "make-data" else [
        sys.executable, "-c", START_UP,
    ]  # fmt: skip
    result = run(command, url)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output  # it failed...
    assert output.strip()  # ...and said something
    assert PASSWORD not in output and TAIL not in output, output
    assert PASSWORD[:8] not in output and TAIL[:8] not in output, output


def test_shown_urls_hide_the_password() -> None:
    with dashboard_modules() as mods:
        shown_url = mods.settings.shown_url
        assert (
            shown_url(f"postgresql://u:{PASSWORD}@db:5432/sales")
            == "postgresql://u:***@db:5432/sales"
        )
        assert shown_url(f"postgresql://u:{PASSWORD}@{TAIL}@db/sales") == "db/sales"
        assert shown_url("postgresql://db/sales") == "postgresql://db/sales"
