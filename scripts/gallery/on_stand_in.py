"""Pictures of apps that show what Connect recorded: taken on the stand-in, with data.

An app whose ``[tool.monorepo.gallery]`` says ``on_stand_in = true`` reads
Connect's API (the usage app reads its visits), so a picture of it under
``make run`` would be an empty page. Here the stand-in starts in a scratch
folder, the deploy tool (``python -m scripts.deploy``, as ``make deploy``
runs it) publishes the app and the apps its ``visits`` table names, each
visitor opens their apps' pages (Connect records a visit per page view),
and the app is photographed as ``as``, an administrator:

    [tool.monorepo.gallery]
    on_stand_in = true
    as = "ada"                                   # made an administrator
    visits = { pat = ["hello", "multi-page"], quinn = ["hello"] }
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver

from scripts.browser.smoke import AppPage
from scripts.catalog import REPO_ROOT, AppInfo
from scripts.connect_local.launch import DeployedContent, running_connect_local

DEPLOY_TIMEOUT_S = 1800


class GalleryError(RuntimeError):
    """The stand-in picture could not be taken; the message says which step failed."""


@dataclass(frozen=True)
class StandInPicture:
    viewer: str
    visits: Mapping[str, tuple[str, ...]]  # visitor -> app names


def stand_in_picture(app: AppInfo) -> StandInPicture | None:
    """The app's gallery table, if its picture is taken on the stand-in; else None."""
    table = app.settings().get("gallery", {})
    if not isinstance(table, dict) or not table.get("on_stand_in"):
        return None
    viewer, visits = table.get("as"), table.get("visits", {})
    lists = isinstance(visits, dict) and all(
        isinstance(v, list) and all(isinstance(a, str) for a in v) for v in visits.values()
    )
    if not isinstance(viewer, str) or not viewer or not lists:
        raise GalleryError(
            f'[tool.monorepo.gallery] of {app.name}: expected as = "<user>" and '
            "visits = {<user> = [<app>, ...]}"
        )
    return StandInPicture(viewer, {str(k): tuple(map(str, v)) for k, v in visits.items()})


def _deploy(url: str, key: str, work: Path, apps: list[str]) -> dict[str, str]:
    """Deploy ``apps`` with the deploy tool; app name -> content GUID."""
    report = work / "report.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}
    environ.update(CONNECT_SERVER=url, CONNECT_API_KEY=key)
    command = [sys.executable, "-m", "scripts.deploy", "--bundles-dir", str(work / "bundles")]
    command += ["--logs-dir", str(work / "logs"), "--report", str(report), *apps]
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=environ, capture_output=True, text=True,
        timeout=DEPLOY_TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not report.exists():
        raise GalleryError(f"the deploy failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return {row["app"]: row["guid"] for row in json.loads(report.read_text())["apps"]}


def _visit(url: str, cookie: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


@contextmanager
def photographed_on_stand_in(
    app: AppInfo, picture: StandInPicture, driver: webdriver.Chrome
) -> Iterator[AppPage]:
    """The app's page on a fresh stand-in after the visits, checked, open in ``driver``."""
    visitors: list[Any] = [(picture.viewer, "administrator", f"{picture.viewer}-gallery-key")]
    visitors += sorted(set(picture.visits) - {picture.viewer})
    with tempfile.TemporaryDirectory(prefix="gallery-stand-in-") as scratch:
        work = Path(scratch)
        with running_connect_local(
            work / "state", users=visitors, extra_args=["--groups-from-apps"]
        ) as connect:
            wanted = sorted({app.name, *(a for apps in picture.visits.values() for a in apps)})
            guids = _deploy(connect.url, connect.api_key, work, wanted)
            for user, apps in picture.visits.items():
                cookie = connect.visitor_cookie(user)
                for name in apps:
                    _visit(f"{connect.url}/content/{guids[name]}/", cookie)
            connect.sign_in_browser(driver, picture.viewer)
            content = DeployedContent.find(connect, guids[app.name])
            page = AppPage(driver, content, label=f"gallery-{app.name}")  # type: ignore[arg-type]
            page.open().check()
            yield page
