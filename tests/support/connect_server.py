"""The Connect server the ``connect`` tests talk to: the stand-in, or a real one when asked.

``make test-connect`` runs every test that uses ``connect_server`` (they are
marked ``connect`` from it: tests/conftest.py) against the stand-in; given
``CONNECT_SERVER`` and ``CONNECT_API_KEY`` it passes ``--connect-server`` and
the same tests talk to that server instead.

The real server is only ever used through ``--connect-server``: tests/conftest.py
strips ``CONNECT_*`` from every test's environment, so a developer's shell cannot
point ``make test`` at a server by accident. The key is read from
``CONNECT_API_KEY`` once, when pytest starts (before any test's environment is
stripped), and handed out only by this plugin; it never appears on a command line.

On a real server (``tests/support/real_connect.py``) every name the suite
makes carries a run prefix, writes outside it are refused before they are
sent, everything with the prefix is removed at the end of each module and of
the run (also after a failure), and what is not the run's is compared with a
snapshot taken at the start: a change there fails the run. What only the
stand-in can give makes a test *not applicable*: its own outcome here, with
the reason, counted apart from passed and skipped (``pytest_report_teststatus``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scripts.connect_local.launch import ConnectLocal, DeployedContent, running_connect_local
from tests.support.real_connect import (
    NOT_APPLICABLE,
    RUN_PREFIX,
    OutsidePrefix,
    RealConnect,
    Snapshot,
    not_applicable,
    prefixed,
    refuse_if_taken,
)

__all__ = [
    "ConnectServer",
    "ConnectServers",
    "OutsidePrefix",
    "RealConnect",
    "deployed_page",
    "known_principals",
    "not_applicable",
    "prefixed",
    "run_content",
    "visiting_as_key_owner",
]

REAL_SERVER = pytest.StashKey["RealTarget | None"]()


@dataclass(frozen=True)
class RealTarget:
    url: str
    api_key: str = field(repr=False)


# -- pytest hooks ------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--connect-server",
        default="",
        metavar="URL",
        help="run the connect tests against this Connect server (key: $CONNECT_API_KEY) "
        "instead of the stand-in; make test-connect passes $CONNECT_SERVER here",
    )
    parser.addoption(
        "--connect-summary",
        default="",
        metavar="PATH",
        help="append a Markdown summary of the connect tests to PATH (CI: $GITHUB_STEP_SUMMARY)",
    )


def pytest_configure(config: pytest.Config) -> None:
    url = str(config.getoption("--connect-server")).strip().rstrip("/")
    if not url:
        config.stash[REAL_SERVER] = None
        return
    # Read here, before tests/conftest.py strips CONNECT_* from each test's environment.
    key = os.environ.get("CONNECT_API_KEY", "").strip()
    if not url.startswith(("http://", "https://")):
        raise pytest.UsageError(f"--connect-server {url!r}: expected http(s)://host[:port]")
    if not key:
        raise pytest.UsageError(
            f"--connect-server {url}: CONNECT_API_KEY is empty; set it to an administrator's "
            "key of that server (make test-connect CONNECT_SERVER=... CONNECT_API_KEY=...)"
        )
    config.stash[REAL_SERVER] = RealTarget(url, key)


def pytest_report_header(config: pytest.Config) -> str | None:
    real = config.stash.get(REAL_SERVER, None)
    if real is None:
        return None
    return f"connect tests: against {real.url} (run prefix {RUN_PREFIX})"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return ""


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """A not-applicable test is its own category: "N not applicable" in the summary."""
    if _skip_reason(report).startswith(NOT_APPLICABLE):
        return NOT_APPLICABLE, "n", ("NOT APPLICABLE", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reports = terminalreporter.stats.get(NOT_APPLICABLE, [])
    if reports:
        terminalreporter.section(NOT_APPLICABLE)
        for report in reports:
            reason = _skip_reason(report).removeprefix(f"{NOT_APPLICABLE}: ")
            terminalreporter.line(f"{report.nodeid}: {reason}")
    summary = str(config.getoption("--connect-summary"))
    if summary and not hasattr(config, "workerinput"):  # once, by xdist's controller
        _write_summary(Path(summary), terminalreporter, config)


def _write_summary(path: Path, terminalreporter: Any, config: pytest.Config) -> None:
    real = config.stash.get(REAL_SERVER, None)
    stats = terminalreporter.stats
    kinds = ("passed", "failed", "error", NOT_APPLICABLE, "skipped")
    counts = {kind: len(stats.get(kind, [])) for kind in kinds}
    lines = [
        f"### make test-connect against {real.url if real else 'the stand-in'}",
        "",
        "| passed | failed | errors | not applicable | skipped |",
        "| --- | --- | --- | --- | --- |",
        "| " + " | ".join(str(counts[k]) for k in counts) + " |",
        "",
    ]
    for report in stats.get(NOT_APPLICABLE, []):
        reason = _skip_reason(report).removeprefix(f"{NOT_APPLICABLE}: ")
        lines.append(f"- not applicable: `{report.nodeid}`: {reason}")
    with path.open("a") as out:
        out.write("\n".join(lines) + "\n")


# -- the fixture -------------------------------------------------------------------------

STAND_IN_ONLY_OPTIONS = ("version", "extra_args", "login_token")


class ConnectServers:
    """Starts the server a test module talks to: ``with connect_server.start(...)``."""

    def __init__(self, real: RealTarget | None, factory: pytest.TempPathFactory) -> None:
        self.real = real
        self.factory = factory

    @property
    def is_real(self) -> bool:
        return self.real is not None

    @contextmanager
    def start(self, name: str, **options: Any) -> Iterator[ConnectLocal | RealConnect]:
        """The stand-in started with ``options`` (``running_connect_local``'s), or the
        real server. Options that only make sense for the stand-in (a version to
        claim, command-line flags) make the module not applicable on a real server."""
        if self.real is None:
            state = self.factory.mktemp(name) / "state"
            with running_connect_local(state, **options) as local:
                yield local
            return
        asked = {k: options[k] for k in STAND_IN_ONLY_OPTIONS if options.get(k)}
        if asked:
            not_applicable(f"needs the stand-in started with {asked}")
        keyed = [spec for spec in options.get("users", ()) if not isinstance(spec, str)]
        server = RealConnect(
            self.real.url, self.real.api_key, foreign_keys={k: n for n, _, k in keyed}
        )
        try:
            yield server
        finally:
            server.remove_run_names()


@pytest.fixture(scope="session")
def connect_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConnectServers]:
    """The servers of the ``connect`` tests (marks them ``connect``: tests/conftest.py)."""
    real = request.config.stash.get(REAL_SERVER, None)
    if real is None:
        yield ConnectServers(None, tmp_path_factory)
        return
    guard = RealConnect(real.url, real.api_key)
    refuse_if_taken(guard)
    before = Snapshot.take(guard)
    try:
        yield ConnectServers(real, tmp_path_factory)
    finally:
        guard.remove_run_names()
        changed = before.changes_since(Snapshot.take(guard))
        if changed:
            raise OutsidePrefix(
                f"the run changed {len(changed)} thing(s) outside {RUN_PREFIX} on {real.url}:\n"
                + "\n".join(changed)
            )


# What a `connect` test talks to.
ConnectServer = ConnectLocal | RealConnect


@dataclass(frozen=True)
class KnownPrincipals:
    """A user and a group the server knows: for tests that resolve GUIDs to names."""

    user_guid: str
    username: str
    group_guid: str
    group_name: str


def known_principals(server: ConnectServer) -> KnownPrincipals:
    """The key's own user and a group of this run's (made on first use)."""
    me = server.api("GET", "v1/user")
    name = prefixed("analysts")
    found = [
        g for g in server.api("GET", f"v1/groups?prefix={name}")["results"] if g["name"] == name
    ]
    group = found[0] if found else server.api("POST", "v1/groups", {"name": name})
    return KnownPrincipals(me["guid"], me["username"], group["guid"], group["name"])


# -- deployed content in the browser -------------------------------------------------------


@dataclass
class RemoteContent:
    """A deployed item on a real server, as the smoke harness's ``AppPage`` needs it.

    The app's process output stays on that server: the page's own checks
    (console errors, failed requests, error overlays, title) are what remain.
    """

    name: str
    url: str
    origin: str

    def stderr(self) -> str:
        return ""

    def stderr_tail(self, lines: int = 30) -> str:
        return f"(the log of {self.name} is on {self.origin})"

    def tracebacks(self) -> list[str]:
        return []


def deployed_page(server: ConnectServer, guid: str) -> DeployedContent | RemoteContent:
    """What ``AppPage`` opens for a deployed item: with its process log on the stand-in."""
    if isinstance(server, ConnectLocal):
        return DeployedContent.find(server, guid)
    content = server.api("GET", f"v1/content/{guid}")
    return RemoteContent(content["name"], f"{server.url}/content/{guid}/", server.url)


@contextmanager
def visiting_as_key_owner(browser: Any, server: ConnectServer) -> Iterator[str]:
    """The browser visits as the user whose key the tests hold; the visitor's name.

    On the stand-in that is its default visitor (no header needed). On a real
    server every request of the browser carries ``Authorization: Key`` (set
    through Chrome's DevTools), which Connect takes as that user's visit.
    """
    if server.is_stand_in:
        yield ""
        return
    browser.execute_cdp_cmd("Network.enable", {})
    headers = {"Authorization": f"Key {server.api_key}"}
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
    try:
        yield str(server.api("GET", "v1/user")["username"])
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


def run_content(server: ConnectServer) -> list[dict[str, Any]]:
    """The content of this run (process): what its tests may compare before and after.
    On a shared server, parallel workers and other people change the rest meanwhile."""
    items = server.api("GET", "v1/content")
    return [item for item in items if str(item.get("name", "")).startswith(RUN_PREFIX)]
