"""connectkit's app factory: chrome, local CSS, compression, health, no heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from connectkit import create_app
from dash import html


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/content/abc/")
    return create_app(
        "factory_test",
        title="Factory test",
        layout=html.P("body", id="body"),
        environ={"CONNECTKIT_TRUSTED_FRONTEND": "local-runner"},  # believe the test header
    )


def test_index_links_local_bootstrap_under_the_prefix(app) -> None:  # type: ignore[no-untyped-def]
    index = app.server.test_client().get("/").get_data(as_text=True)
    assert "<title>Factory test</title>" in index
    assert 'href="/content/abc/_connectkit/static/bootstrap.min.css?v=' in index
    # Dash 4's inputs and dropdowns in Bootstrap's look, linked after Bootstrap
    theme = index.find('href="/content/abc/_connectkit/static/connectkit.css?v=')
    assert theme > index.find("bootstrap.min.css")
    assert "cdn" not in index.lower() and "bootstrapcdn" not in index


def test_stylesheet_is_served_compressed_and_cached(app) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    for encoding in ("br", "gzip", "zstd"):
        response = client.get(
            "/_connectkit/static/bootstrap.min.css", headers={"Accept-Encoding": encoding}
        )
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert response.cache_control.max_age and response.cache_control.max_age > 86400
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
