"""A GraphQL answer with ``data`` and ``errors`` (protected customer data denied to an app
without Shopify's approval: shopify.dev ``apps/launch/protected-customer-data``) keeps what
it has; the error is logged once per connection. The error's shape is GraphQL's
(``message``, ``path``, ``extensions.code``) with Shopify's ``ACCESS_DENIED`` code."""

from __future__ import annotations

import logging

import pytest

from disputeflow import MarketplaceError
from disputeflow.plugins.shopify.client import ShopifyClient
from tests.plugins.shopify.conftest import GRAPHQL, SHOP, TOKEN
from tests.plugins.shopify.returns_data import RETURN_ID, return_node

DENIED = {
    "message": "This app is not approved to access the Customer object.",
    "locations": [{"line": 4, "column": 5}],
    "path": ["return", "order", "customer"],
    "extensions": {"code": "ACCESS_DENIED"},
}


def denied_return():
    node = return_node()
    node["order"] = {**node["order"], "customer": None, "email": None}
    return {"data": {"return": node}, "errors": [DENIED]}


def test_a_partial_answer_keeps_its_data_and_logs_once_per_connection(api, caplog):
    api.post(GRAPHQL, json=denied_return())
    client = ShopifyClient(
        {"shop_domain": SHOP, "access_token": TOKEN}, sleep=lambda s: None, connection_id="c-1"
    )
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            data = client.graphql("query Return($id: ID!) { return(id: $id) { id } }")
            assert data["return"]["name"] == "#1001-R1"
    warnings = [r for r in caplog.records if "ACCESS_DENIED" in r.getMessage()]
    assert len(warnings) == 1
    assert "c-1" in warnings[0].getMessage()


def test_the_return_is_read_without_the_denied_buyer(runtime, market, api, api_connection):
    api.post(GRAPHQL, json=denied_return())
    from disputeflow.engine.store import connections as store

    with runtime.database.session(readonly=True) as session:
        connection = runtime.connection(store.get_row(session, api_connection["id"]))
    plain = market.fetch_return(connection, RETURN_ID)
    assert plain["id"] == RETURN_ID
    assert len(plain["line_items"]) == 2
    assert not (plain.get("customer") or {}).get("email")


def test_errors_without_data_still_fail(api):
    api.post(GRAPHQL, json={"data": None, "errors": [DENIED]})
    client = ShopifyClient({"shop_domain": SHOP, "access_token": TOKEN}, sleep=lambda s: None)
    with pytest.raises(MarketplaceError, match="not approved"):
        client.graphql("query Return { shop { id } }")


def test_a_redirect_is_an_error_and_is_not_followed(api):
    api.post(GRAPHQL, status=302, headers={"Location": "http://169.254.169.254/latest/"})
    client = ShopifyClient({"shop_domain": SHOP, "access_token": TOKEN}, sleep=lambda s: None)
    with pytest.raises(MarketplaceError, match="HTTP 302"):
        client.graphql("query Shop { shop { id } }")
    assert [c.request.url for c in api.calls] == [GRAPHQL]
