"""Every API route needs a bearer token of the right role; the spec and docs need none."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.engine.config import Settings
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import TokenRow
from disputeflow.webhooks.app import create_app
from tests.webhooks.api.conftest import bearer


@pytest.fixture
def database_url(tmp_path):
    """Authorization is database-neutral: SQLite keeps these many routes fast."""
    return f"sqlite:///{tmp_path / 'auth.sqlite3'}"


def api_routes(app):
    """``(method, rule)`` of every route under /api/v1, as the app serves them."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def collect_routes():
    """The routes of an app made by the real factory, at collection time."""
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            home=Path(home), database_url="sqlite://", public_url="http://x", secret_key=None
        )
        runtime = Runtime.create(settings, plugins=get_plugin_manager(load_entrypoints=False))
        try:
            return api_routes(create_app(runtime))
        finally:
            runtime.close()


ROUTES = collect_routes()

# The least role each route needs. A new route must be added here to pass.
LEAST_ROLE = {
    ("GET", "/api/v1/cases"): "viewer",
    ("GET", "/api/v1/cases/<case_id>"): "viewer",
    ("GET", "/api/v1/cases/<case_id>/timeline"): "viewer",
    ("GET", "/api/v1/cases/<case_id>/actions"): "viewer",
    ("POST", "/api/v1/cases/<case_id>/actions"): "agent",
    ("GET", "/api/v1/cases/<case_id>/actions/<action_id>"): "viewer",
    ("POST", "/api/v1/cases/<case_id>/buyer-link"): "agent",
    ("GET", "/api/v1/cases/<case_id>/files/<file_id>"): "viewer",
    ("GET", "/api/v1/cases/<case_id>/evidence"): "viewer",
    ("PUT", "/api/v1/cases/<case_id>/evidence"): "agent",
    ("POST", "/api/v1/cases/<case_id>/evidence/submit"): "agent",
    ("GET", "/api/v1/cases/<case_id>/links"): "viewer",
    ("POST", "/api/v1/cases/<case_id>/links"): "agent",
    ("DELETE", "/api/v1/cases/<case_id>/links"): "agent",
    ("GET", "/api/v1/rights"): "viewer",
    ("GET", "/api/v1/connections"): "admin",
    ("POST", "/api/v1/connections"): "admin",
    ("GET", "/api/v1/connections/<connection_id>"): "admin",
    ("PATCH", "/api/v1/connections/<connection_id>"): "admin",
    ("DELETE", "/api/v1/connections/<connection_id>"): "admin",
    ("GET", "/api/v1/deliveries"): "viewer",
    ("POST", "/api/v1/deliveries/replay"): "admin",
    ("GET", "/api/v1/deliveries/<delivery_id>"): "viewer",
    ("POST", "/api/v1/deliveries/<delivery_id>/replay"): "admin",
    ("GET", "/api/v1/tokens"): "admin",
    ("POST", "/api/v1/tokens"): "admin",
    ("GET", "/api/v1/tokens/<token_id>"): "admin",
    ("DELETE", "/api/v1/tokens/<token_id>"): "admin",
    ("GET", "/api/v1/sessions"): "admin",
    ("DELETE", "/api/v1/sessions/<session_id>"): "admin",
}
BELOW = {"agent": "viewer", "admin": "agent"}


def url(rule):
    return re.sub(r"<[^>]+>", "x", rule)


def call(client, method, rule, headers=None):
    return client.open(url(rule), method=method, headers=headers or {}, json={})


def assert_401(response):
    assert response.status_code == 401
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_the_route_list_covers_every_resource_and_every_route_has_a_role(app):
    assert api_routes(app) == ROUTES
    assert set(LEAST_ROLE) == set(ROUTES)
    for resource in ("cases", "connections", "deliveries", "tokens"):
        assert any(rule.startswith(f"/api/v1/{resource}") for _, rule in ROUTES)


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_no_token_is_401(client, method, rule):
    response = call(client, method, rule)
    assert_401(response)
    assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_a_garbage_token_is_401(client, method, rule):
    response = call(client, method, rule, bearer("dft_not-a-real-token"))
    assert_401(response)
    assert response.get_json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_each_route_needs_its_least_role(client, make_token, method, rule):
    needed = LEAST_ROLE[(method, rule)]
    allowed = call(client, method, rule, bearer(make_token(needed)))
    assert allowed.status_code not in (401, 403), allowed.get_json()
    if needed in BELOW:
        refused = call(client, method, rule, bearer(make_token(BELOW[needed])))
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "forbidden"
        assert needed in refused.get_json()["message"]


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token {token}", "{token}"],
    ids=["basic", "empty", "blank", "other-scheme", "no-scheme"],
)
def test_malformed_authorization_is_401(client, make_token, header):
    token = make_token("admin")
    response = client.get("/api/v1/cases", headers={"Authorization": header.format(token=token)})
    assert_401(response)


def test_the_scheme_is_case_insensitive(client, make_token):
    token = make_token("viewer")
    response = client.get("/api/v1/cases", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_a_used_token_records_when(client, runtime, make_token):
    token = make_token("viewer", name="reader")
    with runtime.database.session() as session:
        assert session.scalar(select(TokenRow.last_used_at)) is None
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    with runtime.database.session() as session:
        assert session.scalar(select(TokenRow.last_used_at)) is not None


@pytest.mark.parametrize("path", ["/api/openapi.json", "/api/docs", "/healthz"])
def test_spec_docs_and_health_need_no_token(client, path):
    assert client.get(path).status_code == 200


def test_the_spec_documents_the_role_and_401_403_of_every_operation(client):
    spec = client.get("/api/openapi.json").get_json()
    for (method, rule), role in LEAST_ROLE.items():
        path = re.sub(r"<([^>]+)>", r"{\1}", rule)
        operation = spec["paths"][path][method.lower()]
        assert operation["x-required-role"] == role
        assert {"401", "403"} <= set(operation["responses"])
