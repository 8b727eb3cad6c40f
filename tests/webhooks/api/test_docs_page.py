"""``/api/docs`` works offline: Swagger UI's files come from the installed package (issue 16).

The page was blank without internet (it loaded Swagger UI from a CDN). Now every script and
style it names is served here, it has no inline script, and it carries a CSP and frame
protection like the workspace.
"""

from __future__ import annotations

import re

import pytest

from disputeflow.webhooks.api import docs_page


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'docs.sqlite3'}"


def test_the_docs_page_loads_only_from_this_origin(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert "http://" not in html
    assert 'data-spec="/api/openapi.json"' in html
    assert "<script>" not in html  # no inline script: the CSP can forbid it
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(sources) >= 5
    for source in sources:
        assert source.startswith("/api/docs/assets/"), source
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.data) > 50, source
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js").get_data(as_text=True)
    assert "SwaggerUIBundle" in bundle


def test_the_docs_page_has_a_csp_and_cannot_be_framed(client):
    for path in ("/api/docs", "/api/docs/assets/start.js"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_listed_assets_are_served(client):
    assert client.get("/api/docs/assets/LICENSE").status_code == 404
    assert client.get("/api/docs/assets/..%2F__init__.py").status_code == 404
    assert docs_page.swagger_dist().joinpath("swagger-ui-bundle.js").is_file()


def test_swagger_ui_is_told_not_to_call_the_online_validator(client):
    """Swagger UI shows a badge from validator.swagger.io for any spec not on localhost: a
    request to another host from a deployed service, and one that fails offline."""
    start = client.get("/api/docs/assets/start.js").get_data(as_text=True)
    assert "validatorUrl: null" in start
