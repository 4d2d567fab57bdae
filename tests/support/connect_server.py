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

On a real server:

- Every name the suite creates starts with ``RUN_PREFIX`` (unique per run and
  worker). Before the first test the suite refuses a server that already has
  content, groups or vanity paths with that prefix; every write the suite sends
  itself is refused outside the prefix (``OutsidePrefix``); at the end of each
  module and of the run everything carrying the prefix is deleted (users, which
  Connect cannot delete, are locked), also after a failure, and content outside
  the prefix is compared with a snapshot taken at the start: a change fails the run.
- What only the stand-in can give (fault injection, users with keys made up on
  the command line, its login form, its logs, a chosen version or policy) makes
  the test *not applicable*: reported as such with the reason, counted apart
  from passed and skipped tests (``pytest_report_teststatus``).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

from scripts.connect_local.launch import (
    ConnectApi,
    ConnectLocal,
    DeployedContent,
    running_connect_local,
)

NOT_APPLICABLE = "not applicable"
# Lower-case letters and digits: valid in content, group and user names and vanity paths.
RUN_PREFIX = f"ct{secrets.token_hex(4)}"
ANY_RUN_PREFIX = re.compile(r"^/?ct[0-9a-f]{8}-")  # this run's or a parallel worker's
REAL_SERVER = pytest.StashKey["RealTarget | None"]()


def not_applicable(reason: str) -> NoReturn:
    """End the test as not applicable to this server (never as passed)."""
    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


def prefixed(name: str) -> str:
    """``name`` with this run's prefix: every name a ``connect`` test creates."""
    return f"{RUN_PREFIX}-{name}"


class OutsidePrefix(AssertionError):
    """The suite was about to change something on a real server that is not its own."""


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
    if summary:
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


# -- a real server -----------------------------------------------------------------------

# Writes the suite sends itself, by path: which record's name must carry the prefix.
_OWNED_PATHS = (
    (re.compile(r"^v1/content/(?P<id>[^/]+)"), "v1/content/{id}", "name"),
    (re.compile(r"^v1/groups/(?P<id>[^/]+)"), "v1/groups/{id}", "name"),
    (re.compile(r"^v1/users/(?P<id>[^/]+)"), "v1/users/{id}", "username"),
    (re.compile(r"^v1/tags/(?P<id>[^/]+)"), "v1/tags/{id}", "name"),
    (re.compile(r"^v1/oauth/integrations/(?P<id>[^/]+)$"), "v1/oauth/integrations/{id}", "name"),
)
# Collections the suite may add to, and the field naming what it adds.
_CREATED_NAMES = {
    "v1/content": "name",
    "v1/groups": "name",
    "v1/users": "username",
    "v1/tags": "name",
    "v1/oauth/integrations": "name",
}


@dataclass
class RealConnect(ConnectApi):
    """A real Connect, guarded: the suite changes only what carries ``RUN_PREFIX``.

    Same calls as the stand-in's ``ConnectLocal``; what only the stand-in has
    makes the calling test not applicable.
    """

    foreign_keys: dict[str, str] = field(default_factory=dict)  # stand-in key -> its user

    # -- the guard ------------------------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> tuple[int, Any]:
        if key is not None and key in self.foreign_keys:
            not_applicable(
                f"needs {self.foreign_keys[key]}'s own API key: the stand-in makes users with "
                "keys from its command line; Connect's API cannot mint a key for another user"
            )
        if method.upper() not in ("GET", "HEAD"):
            self.check_inside_prefix(method, path, body)
        return super().request(method, path, body, key=key)

    def check_inside_prefix(self, method: str, path: str, body: Any) -> None:
        """Raise OutsidePrefix unless this write changes only something of this run's."""
        api_path = path.lstrip("/").removeprefix("__api__/").split("?")[0].rstrip("/")
        if api_path in _CREATED_NAMES and method.upper() == "POST":
            name = body.get(_CREATED_NAMES[api_path]) if isinstance(body, dict) else None
            self._require_prefix(str(name), f"{method} {api_path}")
            return
        for pattern, record_path, name_field in _OWNED_PATHS:
            match = pattern.match(api_path)
            if match:
                status, record = super().request(
                    "GET", f"__api__/{record_path.format(**match.groupdict())}"
                )
                name = (
                    record.get(name_field) if status == 200 and isinstance(record, dict) else None
                )
                self._require_prefix(str(name), f"{method} {api_path}")
                return
        raise OutsidePrefix(f"{method} {api_path}: the suite has no rule for this write")

    @staticmethod
    def _require_prefix(name: str, action: str) -> None:
        if not name.startswith(RUN_PREFIX):
            raise OutsidePrefix(
                f"{action} would change {name!r}, which is not this run's "
                f"(names start with {RUN_PREFIX}): refused"
            )

    # -- what only the stand-in has -------------------------------------------------------

    def fail_next(self, path: str, count: int = 1, method: str = "*") -> None:
        not_applicable("injects failing API calls: the stand-in's /__faults__")

    def fail_builds(self, count: int = 1, message: str = "") -> None:
        not_applicable("injects failing builds: the stand-in's /__faults__")

    def slow_tasks(self, seconds: float) -> None:
        not_applicable("slows tasks down: the stand-in's /__faults__")

    def clear_faults(self) -> None:
        """Nothing was injected."""

    def visitor_cookie(self, user: str, groups: Sequence[str] | None = None) -> str:
        not_applicable("picks a visitor through the stand-in's /__login__ form")

    def log_tail(self, lines: int = 40) -> str:
        return f"(the log of {self.url} is on that server)"

    # -- the run's names ------------------------------------------------------------------

    def run_names(self) -> dict[str, list[dict[str, Any]]]:
        """What carries this run's prefix: content, groups, users."""
        content = self.api("GET", "v1/content")
        groups = self.pages("v1/groups", f"prefix={RUN_PREFIX}")
        users = self.pages("v1/users", f"prefix={RUN_PREFIX}")
        return {
            "content": [c for c in content if str(c.get("name", "")).startswith(RUN_PREFIX)],
            "groups": [g for g in groups if str(g.get("name", "")).startswith(RUN_PREFIX)],
            "users": [
                u
                for u in users
                if str(u.get("username", "")).startswith(RUN_PREFIX) and not u.get("locked")
            ],
        }

    def pages(self, path: str, query: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.api("GET", f"{path}?{query}&page_size=500&page_number={page}")
            found += answer.get("results", [])
            if len(found) >= answer.get("total", 0) or not answer.get("results"):
                return found
            page += 1

    def remove_run_names(self) -> None:
        """Delete this run's content and groups, lock its users (Connect deletes no user)."""
        names = self.run_names()
        for item in names["content"]:
            self.request("DELETE", f"__api__/v1/content/{item['guid']}")
        for group in names["groups"]:
            self.request("DELETE", f"__api__/v1/groups/{group['guid']}")
        for user in names["users"]:
            self.request("POST", f"__api__/v1/users/{user['guid']}/lock", {"locked": True})
        left = self.run_names()
        if any(left.values()):
            raise OutsidePrefix(f"could not remove this run's names from {self.url}: {left}")


# What the suite could change about someone else's content, group or vanity path.
_WATCHED = ("name", "title", "access_type", "bundle_id", "owner_guid", "locked")


def _outside_runs(items: list[dict[str, Any]], name_field: str) -> dict[str, Any]:
    """guid -> its watched fields, for the records no run of this suite made."""
    return {
        str(item.get("guid")): {k: item.get(k) for k in (name_field, *_WATCHED) if k in item}
        for item in items
        if not ANY_RUN_PREFIX.match(str(item.get(name_field, "")))
    }


@dataclass
class Snapshot:
    """The server's content, groups and vanity paths outside any run, at the start.

    Compared at the end: a change there means the suite (or someone else on a
    shared server, at the same time) touched what is not the run's.
    """

    me: str
    content: dict[str, Any]
    groups: dict[str, Any]
    vanities: dict[str, Any]

    @classmethod
    def take(cls, server: RealConnect) -> Snapshot:
        vanities = {str(v["content_guid"]): v["path"] for v in server.api("GET", "v1/vanities")}
        return cls(
            server.api("GET", "v1/user")["guid"],
            _outside_runs(server.api("GET", "v1/content"), "name"),
            _outside_runs(server.pages("v1/groups", "prefix="), "name"),
            {g: p for g, p in vanities.items() if not ANY_RUN_PREFIX.match(p)},
        )

    def changes_since(self, later: Snapshot) -> list[str]:
        said = []
        for kind in ("content", "groups", "vanities"):
            before, after = getattr(self, kind), getattr(later, kind)
            said += [
                f"{kind} {guid}: {record!r} -> {after.get(guid)!r}"
                for guid, record in before.items()
                if after.get(guid) != record
            ]
        said += [
            f"content {guid}: made by the suite's key outside the prefix: {record!r}"
            for guid, record in later.content.items()
            if guid not in self.content and record.get("owner_guid") == self.me
        ]
        return said


def refuse_if_taken(server: RealConnect) -> None:
    """Stop before the first test when the server already has this run's names."""
    taken = {kind: items for kind, items in server.run_names().items() if items}
    vanities = [v for v in server.api("GET", "v1/vanities") if RUN_PREFIX in v["path"]]
    if taken or vanities:
        pytest.exit(
            f"{server.url} already has names starting with {RUN_PREFIX}: {taken or vanities}; "
            "the suite changes only what it made, so it does not run here",
            returncode=2,
        )


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
