"""The Admin API client: Shopify's error bodies and rate limits, mapped to MarketplaceError."""

from __future__ import annotations

import pytest
import responses

from disputeflow import MarketplaceError
from disputeflow.plugins.shopify.client import ShopifyClient, ShopifyUserError
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION
from tests.plugins.shopify.conftest import GRAPHQL, REST, SHOP, TOKEN

SETTINGS = {"shop_domain": SHOP, "access_token": TOKEN, "api_version": DEFAULT_API_VERSION}


@pytest.fixture
def slept():
    return []


@pytest.fixture
def client(slept):
    return ShopifyClient(SETTINGS, sleep=slept.append)


@responses.activate
def test_rest_call_sends_the_token_and_reads_json(client):
    responses.get(
        f"{REST}/shopify_payments/disputes.json",
        json={"disputes": []},
        headers={"X-Shopify-Shop-Api-Call-Limit": "3/40"},
    )
    assert client.rest("GET", "shopify_payments/disputes.json") == {"disputes": []}
    assert responses.calls[0].request.headers["X-Shopify-Access-Token"] == TOKEN


@responses.activate
def test_rest_slows_down_when_the_bucket_is_nearly_full(client, slept):
    responses.get(f"{REST}/x.json", json={}, headers={"X-Shopify-Shop-Api-Call-Limit": "39/40"})
    client.rest("GET", "x.json")
    assert slept == [1.0]


@pytest.mark.parametrize(
    ("status", "body", "transient", "needle"),
    [
        (
            401,
            {
                "errors": "[API] Invalid API key or access token "
                "(unrecognized login or wrong password)"
            },
            False,
            "Invalid API key",
        ),
        (404, {"errors": "Not Found"}, False, "HTTP 404: Not Found"),
        (422, {"errors": {"amount": ["must be greater than 0"]}}, False, "must be greater than 0"),
        (429, {"errors": "Exceeded 2 calls per second for api client."}, True, "HTTP 429"),
        (502, {"errors": "Bad gateway"}, True, "HTTP 502"),
    ],
)
@responses.activate
def test_rest_errors(client, slept, status, body, transient, needle):
    responses.post(
        f"{REST}/orders/1/refunds.json",
        status=status,
        json=body,
        headers={"Retry-After": "2.0"} if status == 429 else {},
    )
    with pytest.raises(MarketplaceError) as info:
        client.rest("POST", "orders/1/refunds.json", json={})
    assert info.value.transient is transient
    assert info.value.platform_status == status
    assert needle in info.value.message
    assert len(responses.calls) == (3 if transient else 1)  # PlatformClient retried twice
    assert len(slept) == (2 if transient else 0)
    if status == 429:
        assert slept == [2.0, 2.0]  # Retry-After honoured


@responses.activate
def test_long_retry_after_becomes_a_transient_error_with_the_wait(client, slept):
    responses.post(
        GRAPHQL, status=429, headers={"Retry-After": "120"}, json={"errors": "Throttled"}
    )
    with pytest.raises(MarketplaceError) as info:
        client.graphql("query Shop { shop { id } }")
    assert (info.value.transient, info.value.retry_after) == (True, 120.0)
    assert slept == []


@responses.activate
def test_graphql_errors_with_http_200_are_refused(client):
    responses.post(
        GRAPHQL,
        json={
            "errors": [
                {
                    "message": "Field 'nope' doesn't exist on type 'Shop'",
                    "locations": [{"line": 1, "column": 9}],
                }
            ]
        },
    )
    with pytest.raises(MarketplaceError, match="Field 'nope' doesn't exist") as info:
        client.graphql("query Shop { shop { nope } }")
    assert info.value.transient is False


@responses.activate
def test_graphql_throttled_too_long_is_transient(client, slept):
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 1000,
                "throttleStatus": {"currentlyAvailable": 0, "restoreRate": 50},
            }
        },
    }
    responses.post(GRAPHQL, json=throttled)
    with pytest.raises(MarketplaceError) as info:
        client.graphql("query Big { shop { id } }")
    assert (info.value.transient, info.value.retry_after) == (True, 20.0)
    assert slept == []


@responses.activate
def test_graphql_low_budget_waits_before_the_next_call(client, slept):
    body = {
        "data": {"shop": {"id": "1"}},
        "extensions": {
            "cost": {
                "requestedQueryCost": 100,
                "throttleStatus": {"currentlyAvailable": 50, "restoreRate": 100},
            }
        },
    }
    responses.post(GRAPHQL, json=body)
    assert client.graphql("query Shop { shop { id } }") == {"shop": {"id": "1"}}
    assert slept == [0.5]


@responses.activate
def test_user_errors_are_permanent_422(client):
    responses.post(
        GRAPHQL,
        json={
            "data": {
                "returnClose": {
                    "return": None,
                    "userErrors": [
                        {
                            "field": ["id"],
                            "message": "Return is not closable",
                            "code": "INVALID_STATE",
                        }
                    ],
                }
            }
        },
    )
    with pytest.raises(ShopifyUserError, match="id: Return is not closable") as info:
        client.mutate("mutation ReturnClose($id: ID!) { x }", {"id": "1"}, "returnClose")
    assert (info.value.transient, info.value.platform_status) == (False, 422)


def test_api_base_url_overrides_the_shop_host(slept):
    client = ShopifyClient(
        {**SETTINGS, "api_base_url": "http://127.0.0.1:8123/proxy/"}, sleep=slept.append
    )
    assert client.http.url("/admin/api/2026-07/graphql.json") == (
        "http://127.0.0.1:8123/proxy/admin/api/2026-07/graphql.json"
    )
