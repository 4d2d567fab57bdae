"""What the dashboard's first load sends and draws: plotly.js's basic bundle from
connectkit (never the full plotly.js), every figure it makes drawn without a console
error, the first data in the layout (no callback before the charts), and a status
message while a deploy's first start builds the data."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from scripts.browser.driver import drain
from scripts.browser.smoke import AppPage
from scripts.perf import plotly_bundle

APP = "group-dashboard"

# Per graph: the trace types plotly drew, and how many points each holds.
DRAWN_JS = """
return Array.from(document.querySelectorAll('.dash-graph .js-plotly-plot'), graph => ({
  id: graph.closest('.dash-graph').id,
  traces: (graph._fullData || []).map(t => [t.type, t._length || 0]),
  points: graph.querySelectorAll('.trace .point').length,
}));
"""


def test_the_basic_bundle_is_the_installed_plotlys_version() -> None:
    bundle = plotly_bundle.assets_dir() / plotly_bundle.BUNDLE_FILE
    head = bundle.read_text(errors="replace")[:400]
    assert plotly_bundle.bundle_version(head) == plotly_bundle.installed_plotlyjs_version(), (
        "the dashboard's plotly.js bundle differs from the installed plotly's: "
        "run `make plotly-bundle`"
    )
    assert "Licensed under the MIT license" in head
    licence = bundle.with_name(plotly_bundle.LICENSE_FILE).read_text()
    assert licence.startswith("MIT License")


def test_bundle_version_reads_the_header() -> None:
    assert plotly_bundle.bundle_version("/**\n* plotly.js (basic - minified) v4.1.1\n") == "4.1.1"
    assert plotly_bundle.bundle_version("/** plotly.js v4.1.1 */") is None


@pytest.mark.browser
def test_every_figure_draws_with_the_basic_bundle(
    browser: Any, served_app: Any, tmp_path: Path
) -> None:
    env = {"DASHBOARD_ROWS": "20000", "DASHBOARD_DUCKDB": str(tmp_path / "cache" / "s.duckdb")}
    with served_app(APP, user="root", groups=["admins"], env=env) as served:
        page = AppPage(browser, served, label="group-dashboard-basic-plotly").open()
        journal = page.check()  # no console error, no failed request
        urls = [r.url for r in journal.requests.values()]
        [bundle] = [
            u for u in urls if u.split("?")[0].endswith("/_connectkit/static/plotly-basic.min.js")
        ]
        assert "?v=" in bundle  # a changed file gets a new URL: safe to cache for a year
        with urllib.request.urlopen(bundle) as response:
            assert "max-age=31536000" in response.headers["Cache-Control"]
        assert not [u for u in urls if "package_data/plotly.min.js" in u], "full plotly.js loaded"
        callbacks = [u for u in urls if u.endswith("_dash-update-component")]
        assert callbacks == [], "the first data should come with the layout"
        drawn = {g["id"]: g for g in browser.execute_script(DRAWN_JS)}
        assert [t[0] for t in drawn["revenue-over-time"]["traces"]] == ["scatter"]
        assert [t[0] for t in drawn["revenue-by-country"]["traces"]] == ["bar"]
        assert all(g["points"] > 0 for g in drawn.values()), drawn
        version = plotly_bundle.installed_plotlyjs_version()
        assert browser.execute_script("return Plotly.version") == version


@pytest.mark.browser
def test_a_first_start_says_what_it_builds(browser: Any, served_app: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"DASHBOARD_ROWS": "200000", "DASHBOARD_DUCKDB": str(cache / "sales.duckdb")}
    with served_app(APP, user="root", groups=["admins"], env=env) as served:
        drain(browser)
        browser.get(served.url)
        status = browser.find_element("id", "data-status").text
        assert "building the demo sales data (200,000 order lines) into cache/" in status
        page = AppPage(browser, served, label="group-dashboard-first-start")
        page.url = served.url
        WebDriverWait(browser, 60).until(lambda d: d.execute_script(DRAWN_JS))
        page.check()
        assert not browser.find_element("id", "data-status").is_displayed()
        assert (cache / "sales.duckdb").exists() and os.path.islink(cache / "sales.duckdb")
