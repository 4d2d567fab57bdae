"""Fixtures for every test: a clean environment, a browser, served apps."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from scripts.local.serve import ServedApp, serve

# The session PostgreSQL server fixture (tests/support/databases.py).
pytest_plugins = ["tests.support.databases"]

# Property-based tests: few examples in `make test`, many in `make fuzz`
# (`pytest --hypothesis-profile=fuzz`). No deadline: machines are noisy.
settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("quick")

# Settings that would change what an app or tool does: a developer's shell
# must not leak them into tests (a test that needs one sets it explicitly).
LEAKY_ENV_PREFIXES = (
    "CONNECT_", "DASH_", "DASHBOARD_", "CONNECTKIT_", "RSTUDIO_", "POSIT_", "DATABASE_URL"
)  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(LEAKY_ENV_PREFIXES):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session; each test drains its logs first."""
    from scripts.browser.driver import make_driver

    driver = make_driver()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def served_app(tmp_path: Path) -> Callable[..., AbstractContextManager[ServedApp]]:
    """``with served_app("hello", user="alice") as app:`` serves through the runner."""

    def start(app: str | Path, **kwargs: Any) -> AbstractContextManager[ServedApp]:
        kwargs.setdefault("log_dir", tmp_path / "app-logs")
        return serve(app, **kwargs)

    return start
