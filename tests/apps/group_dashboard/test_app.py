"""The group dashboard in headless Chromium, through the runner: members see
their regions and live KPIs; outsiders get the 403 page and no app scripts."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.actions import pick
from scripts.browser.driver import WAIT_S, drain
from scripts.browser.smoke import AppPage

APP = "group-dashboard"
ROWS = "50000"  # a million rows is what the benchmark is for
POINTS_JS = """
const graph = document.querySelector(arguments[0] + ' .js-plotly-plot');
return graph && graph.data ? graph.data.map(trace => trace.y.length) : null;
"""
BAR_LABELS_JS = """
const graph = document.querySelector('#revenue-by-country .js-plotly-plot');
return graph && graph.data ? Array.from(graph.data[0].y) : null;
"""


TICKS_JS = """
return Array.from(document.querySelectorAll('#revenue-by-country .ytick text'), t => t.textContent);
"""
# Every control's box inside its column, tick labels whole, mode bar clear of titles.
LAYOUT_PROBLEMS_JS = """
const problems = [];
for (const id of ['dates', 'product', 'channel', 'country', 'download-button']) {
  const control = document.getElementById(id);
  const column = control.closest('.col, [class*="col-"]');
  const c = control.getBoundingClientRect(), k = column.getBoundingClientRect();
  if (c.right > k.right + 1 || c.left < k.left - 1) problems.push(id + ' overflows its column');
}
for (const tick of document.querySelectorAll('#revenue-by-country .ytick text')) {
  if (tick.getBoundingClientRect().left < 0) problems.push('cut label ' + tick.textContent);
}
for (const graph of document.querySelectorAll('.js-plotly-plot')) {
  if (graph.getBoundingClientRect().height < 250) problems.push('a squashed graph');
  const bar = graph.querySelector('.modebar'), title = graph.parentElement.querySelector('h2');
  if (bar && title && bar.getBoundingClientRect().top < title.getBoundingClientRect().bottom)
    problems.push('mode bar over ' + title.textContent);
}
return problems;
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Small data, built by the first server of this module in a new folder."""
    folder = tmp_path_factory.mktemp("dashboard-cache")
    return {"DASHBOARD_ROWS": ROWS, "DASHBOARD_DUCKDB": str(folder / "sales.duckdb")}


@pytest.mark.browser
def test_member_sees_their_region_and_filters_update_kpis(
    browser: Any, served_app: Any, small: dict[str, str]
) -> None:
    with served_app(APP, user="eve", groups=["sales-emea"], env=small) as served:
        page = AppPage(browser, served, label="group-dashboard-member").open()
        page.check()
        assert page.text("#scope") == "Scope: EMEA"
        assert "Canary" not in browser.find_element(By.TAG_NAME, "body").text
        assert browser.execute_script(POINTS_JS, "#revenue-over-time") == [48]
        countries = browser.execute_script(BAR_LABELS_JS)
        assert countries and "Germany" in countries and "Japan" not in countries
        before = page.text("#kpi-revenue"), page.text("#kpi-orders")
        assert all(before)

        pick(browser, "channel", "Partner")
        WebDriverWait(browser, WAIT_S).until(
            lambda d: (page.text("#kpi-revenue"), page.text("#kpi-orders")) != before
        )
        page.check()
        after_orders = int(page.text("#kpi-orders").replace(",", ""))
        assert 0 < after_orders < int(before[1].replace(",", ""))


@pytest.mark.browser
def test_admin_sees_every_region(browser: Any, served_app: Any, small: dict[str, str]) -> None:
    with served_app(APP, user="root", groups=["admins"], env=small) as served:
        page = AppPage(browser, served, label="group-dashboard-admin").open()
        page.check()
        assert page.text("#scope") == "Scope: all regions"
        countries = set(browser.execute_script(BAR_LABELS_JS))
        assert {"Germany", "United States", "South Africa"} <= countries
        ticks = set(browser.execute_script(TICKS_JS))
        assert {"South Africa", "United States", "United Kingdom"} <= ticks


@pytest.mark.browser
@pytest.mark.parametrize("width", [800, 1280])
def test_controls_labels_and_titles_fit(
    browser: Any, served_app: Any, small: dict[str, str], width: int
) -> None:
    size = browser.get_window_size()
    browser.set_window_size(width, 1000)
    try:
        with served_app(APP, user="root", groups=["admins"], env=small) as served:
            page = AppPage(browser, served, label=f"group-dashboard-{width}").open()
            page.check()
            assert browser.execute_script(LAYOUT_PROBLEMS_JS) == []
    finally:
        browser.set_window_size(size["width"], size["height"])


@pytest.mark.browser
@pytest.mark.parametrize(
    ("user", "groups", "who"),
    [("mallory", ["analysts"], "mallory"), ("", [], "not signed in")],
    ids=["non-member", "anonymous"],
)
def test_outsiders_get_the_403_page_and_no_app_scripts(
    browser: Any, served_app: Any, small: dict[str, str], user: str, groups: list[str], who: str
) -> None:
    with served_app(APP, user=user, groups=groups, env=small) as served:
        drain(browser)
        browser.get(served.url)
        WebDriverWait(browser, WAIT_S).until(lambda d: d.find_elements(By.ID, "who"))
        assert browser.title.startswith("Access denied")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert who in body and "sales-emea" in body and "Connect administrator" in body
        journal = drain(browser)
        statuses = {r.url: r.status for r in journal.requests.values()}
        assert statuses.get(served.url) == 403, statuses
        scripts = [u for u in statuses if u.endswith(".js") or "_dash-" in u]
        assert scripts == [], f"an outsider's browser loaded app resources: {scripts}"
        assert browser.execute_script("return typeof window.dash_clientside") == "undefined"
