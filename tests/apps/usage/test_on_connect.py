"""Usage, deployed with every other app to the stand-in (``make deploy-all``'s tool),
after visits to three apps by two visitors: in Chromium, an administrator sees those
visits per app and per visitor; a publisher sees only the apps they collaborate on
and none of the figures of the app they may not read; a viewer gets a sentence.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.browser.smoke import AppPage
from scripts.catalog import discover_apps
from scripts.connect_local.launch import ConnectLocal, DeployedContent
from scripts.deploy.invoke import run_deploy_tool
from scripts.deploy.settings import load_settings
from tests.support.connect_server import ConnectServers, not_applicable

pytestmark = pytest.mark.slow  # every app deployed once

VISITED = ("hello", "user-greeting", "multi-page")  # three apps open to anyone
VISITS = {"pat": VISITED, "quinn": ("hello", "multi-page")}
PAT_COLLABORATES_ON = ("hello", "user-greeting")  # not multi-page

# Per graph: each trace's name, x and y as plotly drew them.
FIGURES_JS = """
const out = {};
for (const graph of document.querySelectorAll('.dash-graph .js-plotly-plot')) {
  out[graph.closest('.dash-graph').id] = (graph._fullData || []).map(
    t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}));
}
return out;
"""


@pytest.fixture(scope="module")
def connect(connect_server: ConnectServers, environments_dir: Path) -> Iterator[ConnectLocal]:
    users = [("ada", "administrator", "ada-key"), ("pat", "publisher", "pat-key"), "quinn"]
    with connect_server.start(
        "usage",
        users=users,
        environments_dir=environments_dir,
        extra_args=["--groups-from-apps"],
    ) as server:
        if not isinstance(server, ConnectLocal):
            not_applicable("the visitors log in through the stand-in's form")
        yield server


def recorded(connect: ConnectLocal) -> dict[str, list[str | None]]:
    """Every visit Connect recorded so far: content GUID -> visitors' GUIDs (administrator)."""
    status, body = connect.request(
        "GET", "__api__/v1/instrumentation/content/visits?limit=500", key="ada-key"
    )
    assert status == 200 and not body["paging"]["cursors"]["next"]
    found: dict[str, list[str | None]] = {}
    for visit in body["results"]:
        found.setdefault(visit["content_guid"], []).append(visit["user_guid"])
    return found


@pytest.fixture(scope="module")
def deployed(connect: ConnectLocal, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every app deployed (app name -> content GUID); pat collaborates on two of them.
    The deploy's own checks open each app as the deploying publisher: visits too."""
    names = {n for app in discover_apps() for n in load_settings(app).environment}
    env = {name: f"usage-test-{name.lower()}" for name in names}
    run = run_deploy_tool(connect.url, connect.api_key, tmp_path_factory.mktemp("deploy"), env=env)
    assert run.result.returncode == 0, run.explain()
    guids = {name: row["guid"] for name, row in run.by_app().items()}
    [pat] = connect.api("GET", "v1/users?prefix=pat")["results"]
    for name in PAT_COLLABORATES_ON:
        body = {"principal_guid": pat["guid"], "principal_type": "user", "role": "owner"}
        connect.api("POST", f"v1/content/{guids[name]}/permissions", body)
    for user, apps in VISITS.items():
        cookie = connect.visitor_cookie(user)
        for name in apps:
            request = urllib.request.Request(
                f"{connect.url}/content/{guids[name]}/", headers={"Cookie": cookie}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.status == 200 and b"<html" in response.read().lower()
    return guids


def titles(connect: ConnectLocal, guids: dict[str, str]) -> dict[str, str]:
    return {name: connect.api("GET", f"v1/content/{g}")["title"] for name, g in guids.items()}


def open_as(browser: Any, connect: ConnectLocal, guid: str, user: str) -> AppPage:
    connect.sign_in_browser(browser, user)
    content = DeployedContent.find(connect, guid)
    page = AppPage(browser, content, label=f"usage-{user}").open()  # type: ignore[arg-type]
    page.check()
    return page


def bars(browser: Any) -> dict[str, int]:
    """Unique visitors per app title, from the bar chart as drawn."""
    [trace] = browser.execute_script(FIGURES_JS)["visitors-per-app"]
    return dict(zip(trace["y"], trace["x"], strict=True))


def lines(browser: Any) -> dict[str, int]:
    """Visits per app title, summed over the line chart's periods."""
    return {t["name"]: sum(t["y"]) for t in browser.execute_script(FIGURES_JS)["visits-over-time"]}


def top_visitors(page: AppPage) -> dict[str, str]:
    rows = page.driver.find_elements("css selector", "#top-visitors tbody tr")
    return {
        r.find_elements("tag name", "td")[0].text: r.find_elements("tag name", "td")[1].text
        for r in rows
    }


@pytest.mark.browser
def test_every_deployed_app_carries_the_samples_tag(
    connect: ConnectLocal, deployed: dict[str, str]
) -> None:
    every = {t["id"]: t for t in connect.api("GET", "v1/tags")}
    for name, guid in deployed.items():
        tags = connect.api("GET", f"v1/content/{guid}/tags")
        paths = {
            f"{every[t['parent_id']]['name']}/{t['name']}" if t["parent_id"] else t["name"]
            for t in tags
        }
        assert "Samples/Dash" in paths, (name, paths)


@pytest.mark.browser
def test_an_administrator_sees_the_visits_per_app_and_per_visitor(
    browser: Any, connect: ConnectLocal, deployed: dict[str, str]
) -> None:
    title = titles(connect, deployed)
    before = recorded(connect)  # the deploy's checks, and our two visitors
    page = open_as(browser, connect, deployed["usage"], "ada")
    visits, unique = lines(browser), bars(browser)
    people = {u["username"]: u["guid"] for u in connect.api("GET", "v1/users")["results"]}
    for name in VISITED:
        guid = deployed[name]
        for user, apps in VISITS.items():  # each of our page views is one recorded visit
            assert before[guid].count(people[user]) == (name in apps), (name, user)
        assert visits[title[name]] == len(before[guid]), name
        assert unique[title[name]] == len(set(before[guid])), name
    top = top_visitors(page)
    assert top["pat"] == "3" and top["quinn"] == "2"
    assert title["report-builder"] in page.text("#idle-apps")  # nobody opened it


@pytest.mark.browser
def test_a_publisher_sees_only_what_they_may_read_and_nothing_of_the_rest(
    browser: Any, connect: ConnectLocal, deployed: dict[str, str]
) -> None:
    title = titles(connect, deployed)
    page = open_as(browser, connect, deployed["usage"], "pat")
    assert set(lines(browser)) == {title["hello"], title["user-greeting"]}
    assert set(bars(browser)) == {title["hello"], title["user-greeting"]}
    top = top_visitors(page)
    # quinn's multi-page visit is not pat's to see; the deploying publisher's checks are
    assert top["pat"] == "2" and top["quinn"] == "1" and set(top) <= {"pat", "quinn", "publisher"}
    source = browser.page_source
    for hidden in ("multi-page", "report-builder", "group-dashboard"):
        assert title[hidden] not in source, f"{hidden} shows in pat's page"
        assert deployed[hidden] not in source


@pytest.mark.browser
def test_a_viewer_is_told_why_in_a_sentence(
    browser: Any, connect: ConnectLocal, deployed: dict[str, str]
) -> None:
    page = open_as(browser, connect, deployed["usage"], "quinn")
    assert "You (quinn) are a viewer on Connect" in page.text("#problem")
    assert "publishers (content they own or collaborate on)" in page.text("#problem")
    assert browser.execute_script(FIGURES_JS).get("visits-over-time", []) == []


OUTPUTS = [
    *(("kpi-visits", "children"), ("kpi-visitors", "children"), ("kpi-opened", "children")),
    *(("visits-over-time", "figure"), ("visitors-per-app", "figure")),
    *(("top", "children"), ("idle-apps", "children"), ("filter-note", "children")),
]


@pytest.mark.parametrize(
    ("period", "window", "apps"),
    [(3, 30, []), ("day", 7.0, []), ("day", True, []), ("day", 30, ["x" * 36] * 500)],
)
def test_a_forged_filter_gets_a_sentence_not_a_500(
    connect: ConnectLocal, deployed: dict[str, str], period: Any, window: Any, apps: Any
) -> None:
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in OUTPUTS],
        "inputs": [
            {"id": "period", "property": "value", "value": period},
            {"id": "window", "property": "value", "value": window},
            {"id": "tag", "property": "value", "value": None},
            {"id": "owner", "property": "value", "value": None},
            {"id": "apps", "property": "value", "value": apps},
        ],
        "changedPropIds": ["period.value"],
        "state": [],
    }
    request = urllib.request.Request(
        f"{connect.url}/content/{deployed['usage']}/_dash-update-component",
        json.dumps(body).encode(),
        headers={"Cookie": connect.visitor_cookie("pat"), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    note = answer["response"]["filter-note"]["children"]
    assert "is not one of" in note or "at most 100 apps" in note, note
    assert answer["response"]["kpi-visits"]["children"] == ""  # no figure with a bad filter
