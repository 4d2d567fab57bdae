"""Fixtures for every test: a clean environment, a browser, served apps.

``make test`` runs the suite in parallel (pytest-xdist, one process per
worker, ``--dist loadscope``: a module's tests stay on one worker, so a
module-scoped fixture is set up once). Every fixture here is safe for that:
ports are free ones (port 0), folders come from ``tmp_path`` /
``tmp_path_factory`` (per worker), and what the workers share
(``run_shared_dir``) is keyed by content and built under a file lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from scripts.runner.serve import ServedApp, serve

# The session PostgreSQL server fixture (tests/support/databases.py).
pytest_plugins = ["tests.support.databases", "tests.support.redis"]
# The Connect server of the `connect` tests: the stand-in, or --connect-server.
pytest_plugins += ["tests.support.connect_server"]

# Property-based tests: few examples in `make test`, many in `make fuzz`
# (`pytest --hypothesis-profile=fuzz`). No deadline: machines are noisy.
settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("quick")

# Settings that would change what an app or tool does: a developer's shell
# must not leak them into tests (a test that needs one sets it explicitly).
# A real Connect for the `connect` tests is asked for with --connect-server
# (make test-connect): its key is read once at start-up, before this strips it.
LEAKY_ENV_PREFIXES = (
    "CONNECT_", "DASH_", "DASHBOARD_", "CONNECTKIT_", "RSTUDIO_", "POSIT_", "DATABASE_URL",
    "REDIS_URL", "REPORT_",
)  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--app",
        default="",
        help="only the tests of this app (make test APP=name): its folder under "
        "tests/apps/ and every test run for it by name (smoke, bundles, deploys)",
    )


def is_test_of_app(item: pytest.Item, app: str) -> bool:
    """Under ``tests/apps/<app_module>/``, or parametrized with the app (its name or info)."""
    if Path(item.path).is_relative_to(Path(__file__).parent / "apps" / app.replace("-", "_")):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(value == app or getattr(value, "name", None) == app for value in params.values())


# A test that uses one of these fixtures gets the mark, whether or not it says so.
MARK_OF_FIXTURE = {
    "browser": "browser",
    "dash_duo": "browser",
    "postgres_server": "postgres",
    "redis_server": "redis",
}
MARK_OF_FIXTURE["connect_server"] = "connect"  # tests/support/connect_server.py


def pytest_itemcollected(item: pytest.Item) -> None:
    """Marks from fixtures (MARK_OF_FIXTURE), set as each test is collected: before
    ``-m`` selects (pytest's own collection_modifyitems runs before a trylast one)."""
    for fixture in set(getattr(item, "fixturenames", ())) & MARK_OF_FIXTURE.keys():
        item.add_marker(MARK_OF_FIXTURE[fixture])


# trylast: after pytest's own reordering (fixtures), so this order is the one
# xdist hands out (make test passes --no-loadscope-reorder to keep it).
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules marked ``slow`` run first (a stable sort: the rest keep their
    order). In parallel, a long module then starts at once instead of being
    handed out late and running on alone after every other worker is done."""
    if app := config.getoption("--app"):
        from scripts.catalog import find_app

        find_app(app)  # an unknown name stops here, with the nearest app named
        deselected = [item for item in items if not is_test_of_app(item, app)]
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if is_test_of_app(item, app)]
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(LEAKY_ENV_PREFIXES):
            monkeypatch.delenv(key)


def run_shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """``name`` under the folder every worker of this run shares (its temp root).

    Under xdist each worker's temp root is ``<run temp root>/<worker id>``; its
    parent is the run's. Run alone, the session's temp root is the run's. What
    goes there must be keyed by content and written under a file lock.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def environments_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Virtualenvs the Connect stand-ins of this run share: one build per requirements.

    Keyed by a hash of the requirements; the stand-in's builder locks each one,
    so parallel workers wait for the first build instead of repeating it.
    """
    return run_shared_dir(tmp_path_factory, "environments")


@pytest.fixture(scope="session")
def browser_session() -> Iterator[Any]:
    """One headless Chromium per worker (per session), shared by its tests."""
    from scripts.browser.driver import make_driver

    driver = make_driver()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(browser_session: Any) -> Any:
    """The worker's Chromium with no cookies: every test starts signed out.

    Cookies belong to a host, not a port: a stand-in's sign-in cookie from an
    earlier test (another server on 127.0.0.1) would reach this test's server,
    which did not sign it and takes the visitor as anonymous. Each test drains
    the console logs it reads itself.
    """
    browser_session.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return browser_session


@pytest.fixture
def served_app(tmp_path: Path) -> Callable[..., AbstractContextManager[ServedApp]]:
    """``with served_app("hello", user="alice") as app:`` serves through the runner."""

    def start(app: str | Path, **kwargs: Any) -> AbstractContextManager[ServedApp]:
        kwargs.setdefault("log_dir", tmp_path / "app-logs")
        return serve(app, **kwargs)

    return start
