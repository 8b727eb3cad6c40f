"""The erasure topics leave no personal data behind, anywhere in the database.

After Shopify's ``customers/redact`` and ``shop/redact`` and eBay's marketplace account
deletion have been delivered and processed, every column of every table (found by
reflection, so tables added later are searched too) is read back and searched for the
buyer's e-mail, name, platform ids and own words. Another buyer's case stays intact, so
the erasure is shown to be targeted, not a wipe.
"""

from __future__ import annotations

import json

import pytest
import responses
from sqlalchemy import MetaData, select

from disputeflow.plugins.ebay.samples import RETURN_REQUESTED, message, object_message
from disputeflow.plugins.ebay.samples import signed_request as ebay_signed
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key
from disputeflow.plugins.shopify.webhooks import signed_request as shopify_signed
from disputeflow.webhooks.app import create_app
from tests.plugins.shopify.conftest import graphql_router
from tests.plugins.shopify.returns_data import line, return_node
from tests.webhooks.conftest import drain

SHOP = "acme-eu.myshopify.com"
JOHN = {"email": "john@example.com", "name": "John Smith", "id": "191167",
        "phone": "555-625-1199", "words": "Too tight at the shoulders"}  # fmt: skip
JANE = {"email": "jane.roe@example.org", "name": "Jane Roe", "id": "775533",
        "words": "The zip broke on day one"}  # fmt: skip


@pytest.fixture
def fake_plugins(plugin_manager):
    from disputeflow.plugins.ebay import plugin as ebay
    from disputeflow.plugins.shopify import plugin as shopify

    plugin_manager.register(shopify, name="shopify")
    plugin_manager.register(ebay, name="ebay")
    return plugin_manager


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def find_everywhere(runtime, needles):
    """``(table, column, needle)`` for every stored value that contains a needle."""
    metadata = MetaData()
    metadata.reflect(bind=runtime.database.engine)
    found = []
    with runtime.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", "replace")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    found += [(table.name, column, n) for n in needles if n.lower() in text.lower()]
    return found


def _needles(person):
    return list(person.values())


def shopify_post(client, connection, topic, payload, webhook_id):
    request = shopify_signed(payload, secret="shpss_erasure", shop=SHOP, topic=topic,
                             webhook_id=webhook_id)  # fmt: skip
    response = client.post(f"/webhooks/shopify/{connection['id']}", data=request.body,
                           headers=dict(request.headers))  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert drain(runtime_of(client))[1] == 0


def runtime_of(client):
    return client.application.extensions["disputeflow"]


def shopify_returns(client, runtime, api):
    """Two returns of two buyers, their details fetched from the Admin API."""
    connection = runtime.add_connection("shopify", "acme", {
        "shop_domain": SHOP, "client_secret": "shpss_erasure", "access_token": "shpat_erasure",
    })  # fmt: skip
    jane_order = {
        **return_node()["order"],
        "email": JANE["email"],
        "legacyResourceId": "555",
        "customer": {
            "id": f"gid://shopify/Customer/{JANE['id']}",
            "legacyResourceId": JANE["id"],
            "displayName": JANE["name"],
        },
    }
    jane_lines = [line(3, "DEFECTIVE", 1, "25.00", note=JANE["words"])]
    nodes = [return_node(), return_node(id="gid://shopify/Return/900", order=jane_order,
                                        returnLineItems={"nodes": jane_lines})]  # fmt: skip
    graphql_router(
        api, {"Return": [{"data": {"return": nodes[0]}}, {"data": {"return": nodes[1]}}]}
    )
    for n, return_id in enumerate(("123134564567890", "900")):
        payload = {"id": int(return_id), "admin_graphql_api_id": f"gid://shopify/Return/{return_id}",
                   "status": "requested", "order": {"id": 4783296544821 + n},
                   "return_line_items": [], "total_return_line_items": 2}  # fmt: skip
        shopify_post(client, connection, "returns/request", payload, f"wh-return-{n}")
    assert find_everywhere(runtime, [JOHN["email"], JANE["email"]])  # the data is there
    return connection


def test_customers_redact_leaves_nothing_of_the_buyer(client, runtime, api):
    connection = shopify_returns(client, runtime, api)
    redact = {"shop_id": 954889, "shop_domain": SHOP,
              "customer": {"id": int(JOHN["id"]), "email": JOHN["email"], "phone": JOHN["phone"]},
              "orders_to_redact": [4783296544821]}  # fmt: skip
    shopify_post(client, connection, "customers/redact", redact, "wh-redact")
    assert find_everywhere(runtime, _needles(JOHN)) == []
    kept = {column for _, column, _ in find_everywhere(runtime, _needles(JANE))}
    assert "buyer_email" in kept  # the other buyer's case is untouched


def test_shop_redact_leaves_nothing_of_any_buyer(client, runtime, api):
    connection = shopify_returns(client, runtime, api)
    redact = {"shop_id": 954889, "shop_domain": SHOP}
    shopify_post(client, connection, "shop/redact", redact, "wh-shop-redact")
    assert find_everywhere(runtime, [*_needles(JOHN), *_needles(JANE)]) == []


def test_ebay_account_deletion_leaves_nothing_of_the_user(client, runtime):
    settings = runtime.plugins.marketplace("ebay").example_settings()
    connection = runtime.add_connection("ebay", "de", settings)
    key = sample_private_key(settings["client_id"], settings["client_secret"])
    user = {
        "login": str(RETURN_REQUESTED["summary"]["buyerLoginName"]),
        "id": "ma8vp1jySJC",
        "name": RETURN_REQUESTED["detail"]["buyerAddress"]["name"],
        "words": RETURN_REQUESTED["summary"]["creationInfo"]["comments"]["content"],
    }
    messages = [
        object_message("return", RETURN_REQUESTED, "n-return", "2026-03-02T09:00:05.000Z"),
        message("MARKETPLACE_ACCOUNT_DELETION", "n-delete", "2026-03-03T09:00:00.000Z",
                {"username": user["login"], "userId": user["id"], "eiasToken": "nY+sHZ2PrBmdj6w"}),
    ]  # fmt: skip
    for n, payload in enumerate(messages):
        request = ebay_signed(payload, key, SAMPLE_KID)
        response = client.post(f"/webhooks/ebay/{connection['id']}", data=request.body,
                               headers=dict(request.headers))  # fmt: skip
        assert response.status_code == 204
        assert drain(runtime)[1] == 0
        if n == 0:
            assert find_everywhere(runtime, [user["login"], user["name"]])  # the data is there
    assert find_everywhere(runtime, [*user.values(), "nY+sHZ2PrBmdj6w"]) == []
