"""connectkit's app factory: chrome, local CSS, compression, health, no heavy imports."""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import flask
import pytest
from connectkit import create_app, factory
from connectkit.compression import MIN_COMPRESSED_JSON_BYTES
from connectkit.static_assets import BOOTSTRAP_CSS, BOOTSTRAP_SUBSET_CSS, DASH_THEME_CSS
from connectkit.title import BUNDLED_TITLE_FILE, app_title
from dash import html

from scripts.catalog import find_app
from tests.support.apps import import_app


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")
    # as in an app that never imports dbc, whatever other tests imported before
    monkeypatch.setattr(factory, "DBC_MODULE", "no_such_module_imported")
    return create_app(
        "factory_test",
        title="Factory test",
        layout=html.P("body", id="body"),
        environ={"CONNECTKIT_TRUSTED_FRONTEND": "local-runner"},  # believe the test header
    )


def test_index_links_local_bootstrap_under_the_prefix(app) -> None:  # type: ignore[no-untyped-def]
    index = app.server.test_client().get("/").get_data(as_text=True)
    assert "<title>Factory test</title>" in index
    assert 'href="/content/abc/_connectkit/static/bootstrap-subset.min.css?v=' in index
    # Dash 4's inputs and dropdowns in Bootstrap's look, linked after Bootstrap
    theme = index.find('href="/content/abc/_connectkit/static/connectkit.css?v=')
    assert theme > index.find("bootstrap-subset.min.css") > 0
    assert "cdn" not in index.lower() and "bootstrapcdn" not in index


def test_full_bootstrap_on_request_or_when_dbc_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")

    def linked(**kwargs: bool) -> str:
        built = create_app("factory_test", title="t", layout=html.P("x"), **kwargs)
        index = built.server.test_client().get("/").get_data(as_text=True)
        return re.findall(r"_connectkit/static/([^?]+)\?v=([0-9a-f]{12})", index)[0][0]

    monkeypatch.setattr(factory, "DBC_MODULE", "no_such_module_imported")
    assert linked() == BOOTSTRAP_SUBSET_CSS
    assert linked(full_bootstrap=True) == BOOTSTRAP_CSS
    monkeypatch.setattr(factory, "DBC_MODULE", "json")  # a module surely imported: "dbc"
    assert "json" in sys.modules
    assert linked() == BOOTSTRAP_CSS
    assert linked(full_bootstrap=False) == BOOTSTRAP_SUBSET_CSS


def test_link_carries_the_content_hash(app) -> None:  # type: ignore[no-untyped-def]
    index = app.server.test_client().get("/").get_data(as_text=True)
    served = resources.files("connectkit.static").joinpath(BOOTSTRAP_SUBSET_CSS).read_bytes()
    assert f"?v={hashlib.sha256(served).hexdigest()[:12]}" in index


def test_only_small_json_answers_go_uncompressed(app) -> None:  # type: ignore[no-untyped-def]
    def sized(mimetype: str, size: int) -> Callable[[], flask.Response]:
        return lambda: flask.Response("x" * size, mimetype=mimetype)

    for name, mimetype, size in [
        ("small-json", "application/json", MIN_COMPRESSED_JSON_BYTES - 1),
        ("large-json", "application/json", MIN_COMPRESSED_JSON_BYTES),
        ("small-script", "text/javascript", 700),  # flask-compress's own floor: 500 bytes
    ]:
        app.server.add_url_rule(f"/{name}", name, sized(mimetype, size))
    client = app.server.test_client()

    def encoding(path: str) -> str | None:
        return client.get(path, headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding")

    assert encoding("/small-json") is None
    assert encoding("/large-json") == "gzip"
    assert encoding("/small-script") == "gzip"
    assert encoding("/") == "gzip"  # the index


def test_stylesheet_is_served_compressed_and_cached(app) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    for filename in (BOOTSTRAP_CSS, BOOTSTRAP_SUBSET_CSS, DASH_THEME_CSS):
        for encoding in ("br", "gzip", "zstd"):
            response = client.get(
                f"/_connectkit/static/{filename}", headers={"Accept-Encoding": encoding}
            )
            assert response.status_code == 200
            assert response.headers["Content-Encoding"] == encoding
            assert response.cache_control.max_age and response.cache_control.max_age > 86400
            assert response.cache_control.immutable
    assert client.get("/_connectkit/static/../factory.py").status_code == 404


def test_health_route(app) -> None:  # type: ignore[no-untyped-def]
    assert app.server.test_client().get("/health").status_code == 200


def test_layout_names_the_visitor(app) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    anonymous = json.dumps(client.get("/_dash-layout").get_json())
    assert '"anonymous"' in anonymous and '"body"' in anonymous
    header = json.dumps({"user": "alice", "groups": []})
    named = client.get("/_dash-layout", headers={"RStudio-Connect-Credentials": header})
    assert '"alice"' in json.dumps(named.get_json())


def test_importing_connectkit_keeps_heavy_packages_out() -> None:
    code = textwrap.dedent(
        """
        import sys
        from dash import html
        import connectkit
        connectkit.create_app("x", title="x", layout=html.P("x"))
        unwanted = ("pandas", "plotly.express", "numpy", "posit", "dash_bootstrap_components")
        heavy = sorted(m for m in unwanted if m in sys.modules)
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_start_up_heap_is_frozen_for_the_collector(app) -> None:  # type: ignore[no-untyped-def]
    # what create_app built (Dash, Flask, the layout) is never walked again by gc
    assert gc.get_freeze_count() > 10_000


def test_the_title_comes_from_the_apps_pyproject(tmp_path: Path) -> None:
    """One fact in one place: the deploy's title is the tab's and the navbar's."""
    (tmp_path / "pyproject.toml").write_text('[tool.monorepo.deploy]\ntitle = "Sales"\n')
    assert app_title(tmp_path) == "Sales"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert app_title(tmp_path) == tmp_path.name  # the deploy's default: the app's name
    (tmp_path / BUNDLED_TITLE_FILE).write_text("Bundled\n")  # a bundle: no pyproject title
    assert app_title(tmp_path) == "Bundled"


@pytest.mark.parametrize("name", ["hello", "user-greeting"])
def test_each_app_shows_the_title_it_is_deployed_with(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = import_app(name, monkeypatch)
    assert module.app.title == find_app(name).settings()["deploy"]["title"]


def test_every_apps_assets_are_cached_for_a_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dash links assets with ?m=<mtime>, so a year is safe: a repeat visit fetches none."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("body { margin: 0 }\n")
    (tmp_path / "app.py").write_text(
        "from connectkit import create_app\nfrom dash import html\n"
        "app = create_app(__name__, title='Assets', layout=html.Div('x'))\n"
    )
    spec = importlib.util.spec_from_file_location("_assets_app", tmp_path / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "_assets_app", module)  # Dash finds assets/ through it
    spec.loader.exec_module(module)
    with module.app.server.test_client().get("/assets/style.css") as answer:
        assert answer.status_code == 200
        assert "max-age=31536000" in answer.headers["Cache-Control"]
