"""The group dashboard under gunicorn with two worker processes, as Connect
runs it with ``max_processes`` > 1, on DuckDB and on PostgreSQL:

- both workers start together on a missing DuckDB file: it is built once;
- every answer is the same whichever worker gives it;
- rows added to the database show up on every worker without a restart,
  once ``DASHBOARD_REFRESH_S`` has passed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.catalog import find_app
from scripts.perf.dash_requests import UPDATE_PATH
from scripts.perf.dashboard_requests import update_body
from scripts.runner.shutdown import stop
from tests.support.databases import DATABASES, dashboard_database, dashboard_modules

ROWS = 20_000
ADMIN = json.dumps({"user": "root", "groups": ["admins"]})
LISTENING = re.compile(r"Listening at: (http://\S+)")
BOOTED = re.compile(r"Booting worker with pid: (\d+)")
DEADLINE_S = 90.0  # a failure bound, not a speed target


@contextmanager
def gunicorn_with_two_workers(env: dict[str, str], log: Path) -> Iterator[str]:
    command = [
        sys.executable, "-m", "gunicorn", "app:server",
        "--chdir", str(find_app("group-dashboard").path),
        "--workers", "2", "--worker-class", "gthread", "--threads", "4",
        "--bind", "127.0.0.1:0", "--log-level", "info", "--timeout", "120",
    ]  # fmt: skip
    with log.open("wb") as err:
        process = subprocess.Popen(command, stderr=err, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            if (match := LISTENING.search(text)) and len(BOOTED.findall(text)) == 2:
                url = match.group(1) + "/"
                if wait_healthy(url, deadline):
                    yield url
                    return
            assert process.poll() is None, f"gunicorn exited:\n{text[-3000:]}"
            time.sleep(0.1)  # polling interval while it starts
        raise AssertionError(f"gunicorn not ready:\n{log.read_text(errors='replace')[-3000:]}")
    finally:
        stop(process)


def wait_healthy(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "health", timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)  # polling interval while workers import the app
    return False


def orders_seen(url: str) -> int:
    """Total orders for the admin, on a new connection (so either worker answers)."""
    body = update_body(None, None, [], [], [])
    request = urllib.request.Request(
        url + UPDATE_PATH,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "RStudio-Connect-Credentials": ADMIN},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        outputs = json.load(response)["response"]
    return int(outputs["kpi-orders"]["children"].replace(",", ""))


@pytest.mark.parametrize("kind", DATABASES)
def test_two_workers_agree_and_see_new_rows(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    import pandas as pd

    if kind == "duckdb":  # missing: the two workers race to build it
        env = {"DASHBOARD_DUCKDB": str(tmp_path / "fresh.duckdb"), "DASHBOARD_ROWS": str(ROWS)}
    else:
        env = dashboard_database(kind, ROWS, tmp_path, request)
    env |= {"DASHBOARD_REFRESH_S": "1", "RSTUDIO_PRODUCT": "CONNECT"}
    log = tmp_path / "gunicorn.log"
    with gunicorn_with_two_workers(env, log) as url:
        seen = {orders_seen(url) for _ in range(12)}
        assert seen == {ROWS}
        if kind == "duckdb":
            assert log.read_text().count(f"loaded {ROWS:,} demo rows") == 1

        with dashboard_modules() as mods:
            database = mods.settings.load_settings(env).database
            mods.load.add_sales(database, pd.DataFrame({
                "day": [pd.Timestamp("2024-12-30")] * 4, "region": ["EMEA"] * 4,
                "country": ["Germany"] * 4, "product": ["Atlas"] * 4,
                "channel": ["Retail"] * 4, "units": [1] * 4, "revenue": [5.0] * 4,
            }))  # fmt: skip
        deadline = time.monotonic() + DEADLINE_S
        while {orders_seen(url) for _ in range(12)} != {ROWS + 4}:
            assert time.monotonic() < deadline, "new rows never showed up on every worker"
            time.sleep(0.5)  # DASHBOARD_REFRESH_S is 1 s
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
