"""The OpenAPI document, the docs page, and the schemas behind them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from disputeflow.engine.store import actions, cases, connections, deliveries
from disputeflow.engine.store.tables import ActionRow, ConnectionRow, DeliveryRow, TokenRow
from disputeflow.features.transparency.expected import estimate
from disputeflow.webhooks.api import connection_schemas, schemas
from disputeflow.webhooks.api import tokens as token_routes
from disputeflow.webhooks.api.transparency_schemas import ExpectedResolutionSchema
from tests.builders import snapshot

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def database_url(tmp_path):
    """The document does not depend on the database."""
    return f"sqlite:///{tmp_path / 'openapi.sqlite3'}"


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_the_document_describes_every_route(spec, app):
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "disputeflow"
    assert spec["info"]["version"] == "v1"
    documented = {
        (path, method)
        for path, ops in spec["paths"].items()
        for method in ops
        if method != "parameters"
    }
    served = {
        (re.sub(r"<([^>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented
    for resource in ("cases", "connections", "deliveries", "tokens"):
        assert f"/api/v1/{resource}" in spec["paths"]
    assert "/api/v1/cases/{case_id}/actions" in spec["paths"]


def test_the_document_declares_bearer_security(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]


def test_every_reference_resolves(spec):
    refs = set(re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(spec)))
    assert refs
    for ref in refs:
        node = spec
        for part in ref.split("/"):
            assert part in node, f"dangling $ref #/{ref}"
            node = node[part]


def test_errors_are_documented_in_the_common_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "status", "message", "errors"}
    assert error["properties"]["status"]["type"] == "integer"
    post = spec["paths"]["/api/v1/cases/{case_id}/actions"]["post"]
    assert {"200", "202", "401", "403", "422", "default"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])


def test_the_docs_page_points_at_the_document(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/openapi.json" in page
    assert "swagger-ui" in page


def test_unknown_api_paths_and_methods_keep_the_common_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert set(missing.get_json()) == {"code", "status", "message", "errors"}
    wrong = client.put("/api/v1/cases")
    assert wrong.status_code == 405
    assert wrong.get_json()["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


# -- the schemas dump every key the core writes (a new key must be added to its schema) --


def keys(schema):
    return set(schema().fields)


def estimate_of(runtime, case):
    with runtime.database.session() as session:
        return estimate(session, case)


def test_case_schemas_match_case_to_dict(runtime, connection):
    from disputeflow.engine.ingest import ingest_snapshot

    result = ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot())
    data = result.case.to_dict()
    # the detail adds what only the store can tell: when the case is expected to end
    assert keys(schemas.CaseSchema) == set(data) | {"expected_resolution"}
    assert keys(ExpectedResolutionSchema) == set(estimate_of(runtime, result.case).to_dict())
    assert keys(schemas.CaseSummarySchema) == set(data) - {"timeline", "evidence", "messages"}
    assert keys(schemas.TimelineEntrySchema) == set(data["timeline"][0])
    assert keys(schemas.DeadlineSchema) == {"kind", "due_at", "source", "party"}
    assert schemas.CaseSchema().dump(data) == data


def test_other_schemas_match_the_store_descriptions():
    delivery = DeliveryRow(
        id="dlv_1", connection_id="con_1", platform="fake", dedup_key="k", topic="t",
        headers={}, body=b"{}", received_at=NOW, status="done", attempts=1,
    )  # fmt: skip
    action = ActionRow(
        id="act_1", case_id="case_1", type="accept", idempotency_key="k", params={},
        status="pending", attempts=0, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    connection = ConnectionRow(
        id="con_1", platform="fake", name="eu", settings={}, secrets="", created_at=NOW
    )
    token = TokenRow(id="tok_1", name="n", role="viewer", prefix="dft_", created_at=NOW)
    assert keys(schemas.DeliverySchema) == set(deliveries.describe(delivery))
    assert keys(schemas.ActionSchema) == set(actions.describe(action))
    described = connections.describe(connection, frozenset(), "")
    assert keys(connection_schemas.ConnectionSchema) == set(described)
    assert keys(schemas.TokenSchema) == set(token_routes.describe(token))
    assert keys(schemas.IssuedTokenSchema) == keys(schemas.TokenSchema) | {"token"}
    assert cases.SORTS == ("newest", "urgent")
