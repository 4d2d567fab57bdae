"""Start the Connect stand-in (scripts.connect_local) in its own process for a test.

    with running_connect_local(tmp_path / "connect", default_visitor="alice:analysts") as connect:
        subprocess.run([rsconnect, "deploy", "dash", "-s", connect.url, "-k", connect.api_key, DIR])
        connect.api("PATCH", f"v1/content/{guid}", {"access_type": "all"})
        connect.fail_next("v1/content/*/bundles", count=2)   # next 2 uploads answer 503

The stand-in binds a free port; ``url`` has no trailing slash. Its output is in
``state_dir/../connect-local.log`` (``log_tail()``). Leaving the block stops it
and every app it started; the state directory stays, so a second
``running_connect_local`` on the same directory is a restart.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, ClassVar

from scripts.catalog import REPO_ROOT
from scripts.runner.shutdown import stop

READY_LINE = re.compile(r"connect-local serving at (?P<url>http://\S+)")
START_TIMEOUT_S = 60.0
DEFAULT_API_KEY = "connect-local-test-key"
VISITOR_COOKIE = "connect_local_visitor"


class ConnectLocalError(RuntimeError):
    """The stand-in did not start, or an API call failed; carries its log tail."""


@dataclass
class ConnectApi:
    """Connect's API at ``url`` with ``api_key``: the calls the stand-in's tests and the
    ``connect`` tests make, against the stand-in or a real server alike."""

    url: str  # e.g. http://127.0.0.1:40123 (no trailing slash)
    api_key: str
    is_stand_in: ClassVar[bool] = False

    def request(
        self, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> tuple[int, Any]:
        """(status, decoded JSON or None) for ``path`` relative to the server root."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/" + path.lstrip("/"), data, method=method)
        request.add_header("Authorization", f"Key {self.api_key if key is None else key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:  # closes its socket: a leak is a ResourceWarning, an error here
                status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``/__api__/<path>`` and return its JSON; raise on a non-2xx answer."""
        return self.api_as(self.api_key, method, path, body)

    def api_as(self, key: str, method: str, path: str, body: Any = None) -> Any:
        """``api`` with another user's key (see ``users``)."""
        status, payload = self.request(method, f"__api__/{path}", body, key=key)
        if not 200 <= status < 300:
            raise ConnectLocalError(f"{method} {path} answered {status}: {payload}")
        return payload

    def content_by_name(self, name: str) -> dict[str, Any]:
        found = self.api("GET", f"v1/content?name={name}")
        if len(found) != 1:
            raise ConnectLocalError(f"expected one content item named {name!r}, found {found}")
        return found[0]


@dataclass
class ConnectLocal(ConnectApi):
    """A running stand-in: the API, plus what only the stand-in has (its state on
    disk, its log, its login form, fault injection)."""

    is_stand_in: ClassVar[bool] = True
    state_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    login_token: str = ""

    def visitor_cookie(self, user: str, groups: Sequence[str] | None = None) -> str:
        """A ``Cookie`` header value that visits as ``user`` (``""``: anonymous), got
        the way a browser gets it: ``POST /__login__`` with the login token.
        ``groups`` None keeps the user's groups."""
        form = {"token": self.login_token, "user": user, "next": "/"} if user else {}
        if user and groups is not None:
            form["groups"] = ",".join(groups)
        request = urllib.request.Request(
            self.url + "/__login__", urllib.parse.urlencode(form).encode(), method="POST"
        )
        opener = urllib.request.build_opener(_KeepRedirect)
        with opener.open(request, timeout=60) as response:
            cookie = SimpleCookie(response.headers["Set-Cookie"])
        return f"{VISITOR_COOKIE}={cookie[VISITOR_COOKIE].value}"

    def sign_in_browser(self, driver: Any, user: str) -> None:
        """Make a selenium ``driver`` visit as ``user``: the signed cookie, set on a page
        of the stand-in's own origin (a browser keeps cookies per origin)."""
        driver.get(self.url + "/__login__")
        name, _, value = self.visitor_cookie(user).partition("=")
        driver.delete_all_cookies()
        driver.add_cookie({"name": name, "value": value, "path": "/"})

    def upload_record(self, guid: str, bundle_id: str) -> dict[str, Any]:
        """How a bundle's upload came: ``{"form": "raw"|"multipart", "chunked": bool}``."""
        path = self.state_dir / "content" / guid / "bundles" / bundle_id / "upload.json"
        record: dict[str, Any] = json.loads(path.read_text())
        return record

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- fault injection ---------------------------------------------------------------

    def fail_next(self, path: str, count: int = 1, method: str = "*") -> None:
        """The next ``count`` API calls matching ``path`` (glob after /__api__/) answer 503."""
        self._faults("POST", "unavailable", {"path": path, "count": count, "method": method})

    def fail_builds(self, count: int = 1, message: str = "build failed (injected fault)") -> None:
        self._faults("POST", "failing_builds", {"count": count, "message": message})

    def slow_tasks(self, seconds: float) -> None:
        self._faults("POST", "task_delay", {"seconds": seconds})

    def clear_faults(self) -> None:
        self._faults("DELETE", "", None)

    def _faults(self, method: str, path: str, body: Any) -> None:
        status, payload = self.request(method, f"__faults__/{path}", body)
        if status != 200:
            raise ConnectLocalError(f"fault injection {path!r} answered {status}: {payload}")


class _KeepRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a redirect as it is (the login's 303 carries the cookie)."""

    def http_error_303(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        return fp


def _wait_until_ready(log_path: Path, offset: int, process: subprocess.Popen[bytes]) -> str:
    """The URL from this run's ready line (the log may hold earlier runs' lines)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        match = READY_LINE.search(log_path.read_bytes()[offset:].decode(errors="replace"))
        if match:
            url = match.group("url")
            try:
                with urllib.request.urlopen(url + "/__ping__", timeout=5):
                    return url
            except (urllib.error.URLError, OSError):
                pass
        if process.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            raise ConnectLocalError(f"connect-local exited with {process.returncode}:\n{tail}")
        time.sleep(0.05)  # polling interval while the server starts
    raise ConnectLocalError(f"connect-local not ready within {START_TIMEOUT_S:.0f}s")


@contextmanager
def running_connect_local(
    state_dir: Path,
    *,
    api_key: str = DEFAULT_API_KEY,
    version: str | None = None,
    default_visitor: str | None = None,
    users: Sequence[str | tuple[str, str, str]] = (),
    environments_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    login_token: str | None = None,
) -> Iterator[ConnectLocal]:
    """Run the stand-in on a free port until the block ends.

    ``version``: the Connect version to report (default: new enough for
    rsconnect's draft-then-activate flow); ``default_visitor``: a
    ``NAME[:GROUP,GROUP]`` spec, the default visitor of content requests;
    ``users``: ``NAME[:GROUP,GROUP]`` specs (viewers to register so permissions
    can name them) or ``(NAME, ROLE, KEY)`` users with their own API key
    (ROLE: viewer, publisher, administrator); ``environments_dir``:
    built virtualenvs, shareable between stand-ins (bundles with identical
    requirements then build once); ``login_token``: what ``/__login__`` asks
    for (default: a new random one, in ``connect.login_token``).
    """
    login_token = login_token or secrets.token_hex(8)
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    options = ["--state-dir", str(state_dir), "--api-key", api_key, "--login-token", login_token]
    if version:
        options += ["--version", version]
    if default_visitor:
        options += ["--visitor", default_visitor]
    for spec in users:
        options += ["--user", spec] if isinstance(spec, str) else ["--user-key", ":".join(spec)]
    if environments_dir is not None:
        options += ["--environments-dir", str(environments_dir)]
    command = [sys.executable, "-m", "scripts.connect_local", "--port", "0", *options, *extra_args]
    log_path = state_dir.parent / f"{state_dir.name}-connect-local.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECT_", "DASH_"))}
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
    try:
        url = _wait_until_ready(log_path, offset, process)
        yield ConnectLocal(url, api_key, state_dir, log_path, process, login_token)
    finally:
        stop(process, grace_s=30)


@dataclass
class DeployedContent:
    """A content item as scripts.browser.smoke.AppPage needs it (like ServedApp).

    ``url`` is the content URL (``.../content/<guid>/``); ``stderr()`` is the
    output of the app process serving the active bundle.
    """

    name: str
    url: str
    origin: str
    log_path: Path

    @classmethod
    def find(cls, connect: ConnectLocal, guid: str) -> DeployedContent:
        content = connect.api("GET", f"v1/content/{guid}")
        if not content.get("bundle_id"):
            raise ConnectLocalError(f"content {guid} has no active bundle")
        log = connect.state_dir / "content" / guid / "bundles" / content["bundle_id"] / "app.log"
        return cls(content["name"], f"{connect.url}/content/{guid}/", connect.url, log)

    def stderr(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stderr_tail(self, lines: int = 30) -> str:
        return "\n".join(self.stderr().splitlines()[-lines:])

    def tracebacks(self) -> list[str]:
        return re.findall(
            r"Traceback \(most recent call last\):\n(?:[ \t].*\n)*\S.*", self.stderr()
        )
