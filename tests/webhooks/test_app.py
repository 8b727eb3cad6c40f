"""The Flask app: health and the common error shape."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import default_exceptions

from disputeflow.core.errors import NotFoundError
from disputeflow.webhooks.app import create_app


@pytest.fixture
def database_url(tmp_path):
    """The HTTP layer is database-neutral: SQLite is enough here."""
    return f"sqlite:///{tmp_path / 'app.sqlite3'}"


@pytest.fixture
def app(runtime):
    app = create_app(runtime, {"TESTING": True})

    @app.get("/boom/<int:code>")
    def boom(code):
        from flask import abort

        abort(code)

    @app.get("/domain-error")
    def domain_error():
        raise NotFoundError("no case 'x'")

    @app.get("/crash")
    def crash():
        raise RuntimeError("secret detail")

    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_healthz_reports_database_and_schema(client, runtime):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == runtime.database.dialect
    assert body["schema_current"] is True
    assert body["marketplaces"] == ["fake"]


def test_healthz_is_503_when_the_database_is_gone(client, runtime, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(runtime.database.engine, "connect", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"


@pytest.mark.parametrize("code", sorted(c for c in default_exceptions if c >= 400))
def test_every_http_error_has_the_common_shape(client, code):
    response = client.get(f"/boom/{code}")
    assert response.status_code == code
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == code


def test_domain_errors_use_their_status(client):
    response = client.get("/domain-error")
    assert response.status_code == 404
    assert response.get_json() == {
        "code": "not_found", "status": 404, "message": "no case 'x'", "errors": {},
    }  # fmt: skip


def test_unexpected_errors_hide_details(client):
    response = client.get("/crash")
    assert response.status_code == 500
    assert "secret detail" not in response.get_data(as_text=True)
    assert response.get_json()["code"] == "internal_server_error"
