"""``/api/v1/rights``: statutory rights, the store's policy and the effective window; and the
policy evaluation in the case and connection JSON."""

from __future__ import annotations

import pytest

from disputeflow.features.handling.rights import StorePolicy, evaluate, rights_for
from disputeflow.webhooks.api import rights_schemas
from tests.core.handling.conftest import a_return


def keys(schema):
    return set(schema().fields)


@pytest.fixture
def shop(runtime):
    """A connection whose store policy is 7 days."""
    settings = {"signing_secret": "s", "shop": "seven", "return_window_days": 7}
    return runtime.add_connection("fake", "seven-days", settings)


def rights(client, headers, **params):
    return client.get("/api/v1/rights", headers=headers, query_string=params)


@pytest.mark.parametrize(
    ("country", "statutory", "effective", "flagged"),
    [("DE", 14, 14, True), ("US", None, 7, False), ("CN", 7, 7, False)],
)
def test_rights_with_a_stores_policy(client, viewer, shop, country, statutory, effective, flagged):
    response = rights(client, viewer, country=country, connection_id=shop["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["country"] == country
    assert body["statutory"]["withdrawal_days"] == statutory
    assert body["statutory"]["sources"] == list(rights_for(country).sources)
    assert body["store_policy"]["window_days"] == 7
    assert body["store_policy"]["connection_id"] == shop["id"]
    assert body["effective"]["effective_window_days"] == effective
    assert body["effective"]["below_statutory"] is flagged
    assert body["effective"]["sources"] == list(rights_for(country).sources)


def test_rights_without_a_connection_and_by_connection_name(client, viewer, shop):
    alone = rights(client, viewer, country="fr").get_json()
    assert alone["store_policy"] is None
    assert alone["effective"]["effective_window_days"] == 14
    by_name = rights(client, viewer, country="FR", connection_id="seven-days").get_json()
    assert by_name["store_policy"]["connection_id"] == shop["id"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"country": "ZZ"}, 404, "not_found"),
        ({"country": "DEU"}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
        ({"country": "DE", "connection_id": "nope"}, 404, "not_found"),
        ({"country": "DE", "colour": "red"}, 422, "invalid_input"),
    ],
)
def test_bad_requests_answer_in_the_common_shape(client, viewer, params, status, code):
    response = rights(client, viewer, **params)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == code


def test_a_sourced_none_an_unknown_and_business_days(client, viewer):
    hong_kong = rights(client, viewer, country="HK").get_json()
    assert (hong_kong["statutory"]["right"], hong_kong["statutory"]["withdrawal_days"]) == (
        "none",
        None,
    )
    assert hong_kong["effective"]["statutory_right"] == "none"
    assert hong_kong["statutory"]["sources"][0].startswith("https://www.legco.gov.hk/")
    assert rights(client, viewer, country="MM").get_json()["effective"]["statutory_right"] == (
        "unknown"
    )
    mexico = rights(client, viewer, country="MX").get_json()
    assert mexico["statutory"]["withdrawal_business_days"] is True
    assert mexico["effective"]["statutory_business_days"] == 5
    assert mexico["effective"]["statutory_window_days"] == 7  # a calendar week


def test_a_token_is_needed(client):
    assert rights(client, {}, country="DE").status_code == 401


def test_the_schemas_match_the_cores_json():
    rows = rights_for("KR")
    assert keys(rights_schemas.StatutoryRightsSchema) == set(rows.to_dict())
    evaluation = evaluate("KR", StorePolicy(3, "s"))
    assert keys(rights_schemas.PolicyEvaluationSchema) == set(evaluation.to_dict())
    assert keys(rights_schemas.StorePolicySchema) == set(StorePolicy(3, "s").to_dict()) | {
        "connection_id"
    }


def test_the_route_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/rights"]["get"]
    assert operation["x-required-role"] == "viewer"
    assert {p["name"] for p in operation["parameters"]} >= {"country", "connection_id"}


def test_a_return_case_shows_its_policy_and_the_connection_its_flag(
    client, viewer, admin, runtime, shop, add_case
):
    case_id = add_case(a_return("r-de", country="DE"), connection_id=shop["id"])
    case = client.get(f"/api/v1/cases/{case_id}", headers=viewer).get_json()
    assert case["extra"]["policy"]["effective_window_days"] == 14
    assert case["extra"]["policy"]["below_statutory"] is True
    assert "policy_flagged" in [entry["kind"] for entry in case["timeline"]]
    assert case["deadlines"][0]["source"] == "disputeflow:statutory:DE"
    connection = client.get(f"/api/v1/connections/{shop['id']}", headers=admin).get_json()
    assert "DE" in connection["policy"]["below_statutory_in"]
    listed = client.get("/api/v1/cases", headers=viewer, query_string={"queue": "returns"})
    assert [item["id"] for item in listed.get_json()["items"]] == [case_id]
