"""``make loadtest APP=name USERS=N``: replay an app's recording with N simulated visitors.

By default the app is served here, as ``make run`` serves it (the runner, on
a free loopback port, one process unless ``--processes``), and each visitor
visits under an API key of its own that the runner maps to a user in one of
the app's groups. ``--url`` aims at a running server instead: the stand-in or
Connect, with the visitors' keys in ``LOADTEST_API_KEYS`` (each visitor takes
one in turn). ``--workers k`` runs Locust's master and k workers (the same
command on other machines joins them: docs/loadtest.md).

Every run is bounded: each visitor plays the session ``--visits`` times, the
run stops at ``--max-requests`` requests or after ``--duration`` seconds,
whichever comes first. It prints Locust's progress, then a summary per kind
of request; exits 1 on any failed request.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scripts.catalog import REPO_ROOT, AppInfo, UnknownAppError, find_app, smoke_env
from scripts.loadtest.session import Session, SessionError, session_path
from scripts.loadtest.visitors import KEYS_ENV, keys_from_text, make_visitors, write_runner_keys
from scripts.runner.serve import AppFailedToStart, serve
from scripts.runner.shutdown import stop

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WORKERS_WAIT_S = 60  # how long the master waits for its workers to join


class TargetError(RuntimeError):
    """The target is not running, or refuses a key; the message says which and the fix."""


@dataclass(frozen=True)
class Plan:
    """One bounded replay: how many visitors, how long, how many requests at most."""

    users: int
    visits: int = 3
    duration_s: float = 60.0
    max_requests: int = 100_000
    think_scale: float = 1.0
    pause_s: float = 1.0
    workers: int = 0  # 0: one Locust process; k: a master and k workers
    spawn_rate: float = 0.0  # visitors started per second (0: all within a second)
    ui: bool = False

    def request_cap(self, session: Session) -> int:
        """Every visit played, or the cap given: the run stops at whichever is lower."""
        return min(self.max_requests, self.users * self.visits * len(session.steps))


@dataclass
class Summary:
    """What Locust measured (the locustfile's ``summary``), and its output."""

    requests: int
    failures: int
    seconds: float
    per_kind: dict[str, dict[str, float]]
    errors: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 1.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def p95(self, kind: str) -> float:
        return float(self.per_kind.get(kind, {}).get("p95", 0.0))

    def table(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s ({self.throughput:.1f}/s), "
            f"{self.failures} failed",
            f"  {'kind':10} {'requests':>9} {'failed':>7}"
            f" {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
        ]
        for kind, row in self.per_kind.items():
            lines.append(
                f"  {kind:10} {row['requests']:>9.0f} {row['failures']:>7.0f} "
                f"{row['p50']:>8.0f} {row['p95']:>8.0f} {row['p99']:>8.0f}"
            )
        lines += [f"  failed: {e['count']}x {e['name']}: {e['error'][:300]}" for e in self.errors]
        return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, key: str) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Key {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def check_target(url: str, keys: list[str], *, connect_api: bool = False) -> None:
    """One GET per key before the load: a target that is down or refuses a key says so now.

    ``connect_api``: the target is Connect (or the stand-in), where content
    open to everyone answers an unknown key as an anonymous visitor; each key
    is then also checked where Connect refuses an invalid one (``GET
    __api__/v1/user``, 401).
    """
    parts = urlsplit(url)
    whoami = f"{parts.scheme}://{parts.netloc}/__api__/v1/user"
    for number, key in enumerate(keys or [""], start=1):
        who = f"key #{number} of {len(keys)}" if key else "an anonymous visitor"
        try:
            _get(url, key)
            if connect_api and key:
                _get(whoami, key)
        except urllib.error.HTTPError as error:
            with error:
                raise TargetError(
                    f"{error.url} refuses {who} with HTTP {error.code}: check {KEYS_ENV} "
                    "(a key of a user who may open this content)"
                ) from None
        except (urllib.error.URLError, OSError) as error:
            raise TargetError(
                f"nothing answers at {url} ({getattr(error, 'reason', error)}): start the "
                "target first, or leave out --url to let the load test serve the app"
            ) from None


def locust_command(url: str, plan: Plan, role: list[str]) -> list[str]:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", url]
    command += ["-u", str(plan.users), "-r", str(plan.spawn_rate or plan.users)]
    command += ["-t", f"{max(1, round(plan.duration_s))}s", "--stop-timeout", "10"]
    if plan.ui:
        command += ["--web-host", "127.0.0.1", "--autostart", "--autoquit", "5"]
    else:
        command += ["--headless"]
    return command + role


def run_locust(
    url: str, session_file: Path, keys: list[str], plan: Plan, *, echo: bool = False
) -> Summary:
    """Run Locust (one process, or a master and workers) until the plan's bounds.

    ``echo``: Locust's progress (its stats every few seconds) goes to this
    terminal as it runs, instead of into the summary's ``output``.
    """
    session = Session.load(session_file)
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        summary_file = Path(tmp) / "summary.json"
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "LOADTEST_SESSION": str(session_file),
            "LOADTEST_KEYS": json.dumps(keys),
            "LOADTEST_THINK_SCALE": str(plan.think_scale),
            "LOADTEST_PAUSE_S": str(plan.pause_s),
            "LOADTEST_VISITS": str(plan.visits),
            "LOADTEST_MAX_REQUESTS": str(plan.request_cap(session)),
            "LOADTEST_SUMMARY": str(summary_file),
            "LOADTEST_WORKERS": str(max(1, plan.workers)),
        }
        log = Path(tmp) / "locust.log"
        with ExitStack() as stack:
            out = None if echo else stack.enter_context(log.open("w"))
            role: list[str] = []
            if plan.workers:
                port = _free_port()
                role = ["--master", "--master-bind-host", "127.0.0.1"]
                role += ["--master-bind-port", str(port), "--expect-workers", str(plan.workers)]
                role += ["--expect-workers-max-wait", str(WORKERS_WAIT_S)]
                for _ in range(plan.workers):
                    worker = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker"]
                    worker += ["--master-host", "127.0.0.1", "--master-port", str(port)]
                    process = subprocess.Popen(
                        worker, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                    stack.callback(stop, process)
            master = subprocess.Popen(
                locust_command(url, plan, role),
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, master)
            master.wait(timeout=plan.duration_s + WORKERS_WAIT_S + 60)
        output = "" if echo else log.read_text(errors="replace")
        if not summary_file.is_file():
            raise RuntimeError(f"Locust ended without a summary; its output:\n{output[-3000:]}")
        data = json.loads(summary_file.read_text())
    return Summary(**data, output=output)


@contextmanager
def served_target(
    app: AppInfo,
    users: int,
    processes: int = 1,
    env: dict[str, str] | None = None,
    mix: list[tuple[str, ...]] | None = None,
) -> Iterator[tuple[str, list[str]]]:
    """The app served here on loopback, with one key per visitor: (url, keys).

    ``mix``: the group sets visitors take in turn (default: the app's, see
    ``visitors.group_mix``)."""
    visitors = make_visitors(app, users, mix)
    with tempfile.TemporaryDirectory(prefix=f"loadtest-{app.name}-") as tmp:
        keys_file = write_runner_keys(visitors, Path(tmp) / "visitor-keys.json")
        app_env = {**smoke_env(app, Path(tmp)), **(env or {})}
        with serve(app.path, env=app_env, visitor_keys=keys_file, processes=processes) as served:
            yield served.url, [v.key for v in visitors]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("app")
    parser.add_argument("--users", type=int, default=10, help="simulated visitors at once")
    parser.add_argument("--visits", type=int, default=3, help="visits each visitor plays")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds at most")
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests at most")
    parser.add_argument("--think-scale", type=float, default=1.0, help="x recorded think times")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between visits")
    parser.add_argument("--workers", type=int, default=0, help="Locust workers (0: one process)")
    parser.add_argument("--processes", type=int, default=1, help="app processes (served here)")
    parser.add_argument("--url", help=f"a running target; visitors' keys in {KEYS_ENV}")
    parser.add_argument("--session", type=Path, help="default apps/<app>/loadtest/session.json")
    parser.add_argument("--ui", action="store_true", help="Locust's web UI on 127.0.0.1:8089")
    args = parser.parse_args(argv)
    if args.users < 1 or args.visits < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--users, --visits, --max-requests must be >= 1 and --duration > 0")
    try:
        app = find_app(args.app)
        session_file = args.session or session_path(app)
        Session.load(session_file)
    except (UnknownAppError, SessionError) as error:
        print(f"error: APP={args.app}: {error}", file=sys.stderr)
        return 2
    plan = Plan(
        users=args.users,
        visits=args.visits,
        duration_s=args.duration,
        max_requests=args.max_requests,
        think_scale=args.think_scale,
        pause_s=args.pause,
        workers=args.workers,
        ui=args.ui,
    )
    try:
        with ExitStack() as stack:
            if args.url:
                url = args.url if args.url.endswith("/") else args.url + "/"
                keys = keys_from_text(os.environ.get(KEYS_ENV, ""))
            else:
                print(f"serving {app.name} on loopback ({args.processes} process)...", flush=True)
                url, keys = stack.enter_context(served_target(app, args.users, args.processes))
            check_target(url, keys, connect_api=bool(args.url))
            workers = f", {args.workers} Locust workers" if args.workers else ""
            print(f"replaying {session_file} at {url}: {args.users} visitors{workers}", flush=True)
            if plan.ui:
                print("Locust's web UI: http://127.0.0.1:8089 (the run starts by itself)")
            summary = run_locust(url, session_file, keys, plan, echo=True)
    except (TargetError, AppFailedToStart) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(summary.table())
    return 1 if summary.failures or not summary.requests else 0


if __name__ == "__main__":
    raise SystemExit(main())
