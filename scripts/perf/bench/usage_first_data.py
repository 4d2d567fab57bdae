"""The usage app's time to first data, on the stand-in, against bare Dash reading the same.

The stand-in starts in a scratch folder; the deploy tool publishes ``usage``
and ``hello``; two visitors open hello ``VISITS`` times (page views: one
recorded visit each). Then, in headless Chromium signed in as the
administrator, each round loads the usage app (the OAuth exchange, its
content, tags, visits and names, read with the administrator's rights) and
the floor (``baselines/usage-floor``: bare Dash, one dcc.Graph, the same
visits read with the content's key, deployed by the same administrator),
order alternating, and clocks navigation -> first chart data
(``first_data_page``). Target: the dashboard's, at most 1.1x its floor.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import urllib.request
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path

from scripts.connect_local.launch import ConnectLocal, running_connect_local
from scripts.deploy.invoke import run_deploy_tool
from scripts.perf.bench import first_data_page, subjects
from scripts.perf.bench.first_data import MAX_RATIO
from scripts.perf.bench.model import Figure

ORDER = 62
FLOOR = "usage-floor"
FLOOR_LABEL = "bare Dash, one dcc.Graph, the same visits read with a key, same stand-in"
ADMIN = ("ada", "administrator", "ada-bench-key")
VISITS = 200  # page views of hello, split between two visitors
QUICK_RUNS, FULL_RUNS, NAVIGATIONS = 3, 5, 2


def _deploy_floor(connect: ConnectLocal, work: Path) -> str:
    """The floor deployed with rsconnect by the administrator; its content GUID."""
    folder = work / "floor"
    folder.mkdir()
    (folder / "app.py").write_text((subjects.baseline(FLOOR).path / "app.py").read_text())
    pins = [f"{n}=={metadata.version(n)}" for n in ("dash", "flask-compress", "requests")]
    (folder / "requirements.txt").write_text("\n".join(pins) + "\n")
    rsconnect = str(Path(sys.executable).parent / "rsconnect")
    done = subprocess.run(
        [rsconnect, "deploy", "dash", "--no-verify", "-s", connect.url, "-k", ADMIN[2],
         "--title", "Usage floor", str(folder)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    found = [
        c for c in connect.api_as(ADMIN[2], "GET", "v1/content") if c["title"] == "Usage floor"
    ]
    if done.returncode != 0 or len(found) != 1:
        raise RuntimeError(f"the floor did not deploy:\n{(done.stdout + done.stderr)[-3000:]}")
    guid = str(found[0]["guid"])
    connect.api_as(ADMIN[2], "PATCH", f"v1/content/{guid}", {"access_type": "logged_in"})
    return guid


def _visit(connect: ConnectLocal, url: str, users: tuple[str, ...]) -> None:
    cookies = [connect.visitor_cookie(user) for user in users]
    for i in range(VISITS):
        request = urllib.request.Request(url, headers={"Cookie": cookies[i % len(cookies)]})
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()


def measure(quick: bool = False) -> list[Figure]:
    runs = QUICK_RUNS if quick else FULL_RUNS
    ours: list[float] = []
    floor: list[float] = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-usage-")))
        connect = stack.enter_context(
            running_connect_local(
                work / "state", users=[ADMIN, "pat", "quinn"], extra_args=["--groups-from-apps"]
            )
        )
        run = run_deploy_tool(connect.url, ADMIN[2], work / "deploy", "usage", "hello")
        if run.result.returncode != 0:
            raise RuntimeError(f"the deploy failed: {run.explain()}")
        guids = {name: row["guid"] for name, row in run.by_app().items()}
        floor_guid = _deploy_floor(connect, work)
        _visit(connect, f"{connect.url}/content/{guids['hello']}/", ("pat", "quinn"))
        driver = first_data_page.browser(stack)
        connect.sign_in_browser(driver, ADMIN[0])
        urls = (f"{connect.url}/content/{guids['usage']}/", f"{connect.url}/content/{floor_guid}/")
        for url in urls:  # warm both servers (first start, exchange): not measured
            first_data_page.first_data(driver, url)
        for round_ in range(runs):
            order = urls if round_ % 2 == 0 else urls[::-1]
            taken = {
                url: statistics.median(
                    first_data_page.first_data(driver, url).since_nav_ms for _ in range(NAVIGATIONS)
                )
                for url in order
            }
            ours.append(taken[urls[0]])
            floor.append(taken[urls[1]])
    return [
        Figure(
            measure="time to first data, warm server (usage)",
            subject="usage",
            baseline=FLOOR_LABEL,
            unit="ms",
            subject_samples=ours,
            baseline_samples=floor,
            max_ratio=MAX_RATIO,
            paired=True,
            note=f"navigation -> first chart data on the stand-in, {VISITS} visits recorded, "
            f"administrator, median of {NAVIGATIONS}",
        )
    ]


if __name__ == "__main__":
    for figure in measure(quick=True):
        print(figure.measure, figure.subject_median, figure.baseline_median, figure.ratio)
