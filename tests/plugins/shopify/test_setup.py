"""Settings, webhook registration and the return policy."""

from __future__ import annotations

import pytest

from disputeflow import InvalidInputError, MarketplaceError
from disputeflow.engine.store import connections as store
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION
from disputeflow.plugins.shopify.subscriptions import SUBSCRIBED_TOPICS
from tests.plugins.shopify.conftest import GRAPHQL, SECRET, SHOP, TOKEN, graphql_router

ADAPTER = ShopifyMarketplace(sleep=lambda seconds: None)


def connection_of(runtime, described):
    with runtime.database.session() as session:
        return runtime.connection(store.get_row(session, described["id"]))


def test_settings_defaults_and_normalisation():
    loaded = ADAPTER.validate_settings(
        {"shop_domain": " Acme-EU.MyShopify.com ", "client_secret": SECRET}
    )
    assert loaded == {
        "shop_domain": "acme-eu.myshopify.com",
        "client_secret": SECRET,
        "api_version": DEFAULT_API_VERSION,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shop_domain", "acme.com"),
        ("shop_domain", "acme.myshopify.com.evil.io"),
        ("api_version", "2026-05"),
        ("api_version", "latest"),
        ("client_secret", ""),
    ],
)
def test_settings_refuse_bad_values(field, value):
    with pytest.raises(InvalidInputError, match=field):
        ADAPTER.validate_settings({"shop_domain": SHOP, "client_secret": SECRET, field: value})


def test_secrets_are_marked():
    assert ADAPTER.secret_fields() == {
        "client_secret",
        "previous_client_secret",
        "access_token",
        "refresh_token",
    }


def test_stored_connection_keeps_secrets_encrypted_and_describes_the_webhook_url(runtime):
    described = runtime.add_connection(
        "shopify", "eu", {"shop_domain": SHOP, "client_secret": SECRET, "access_token": TOKEN}
    )
    assert described["webhook_url"].endswith(f"/webhooks/shopify/{described['id']}")
    assert SECRET not in str(described)
    assert TOKEN not in str(described)
    assert connection_of(runtime, described).settings["access_token"] == TOKEN


def test_register_webhooks_subscribes_missing_topics_only(runtime, api):
    described = runtime.add_connection(
        "shopify", "eu", {"shop_domain": SHOP, "client_secret": SECRET, "access_token": TOKEN}
    )
    connection = connection_of(runtime, described)
    mine = {"id": "1", "topic": "DISPUTES_CREATE", "uri": connection.webhook_url}
    listing = {
        "data": {"webhookSubscriptions": {"nodes": [mine], "pageInfo": {"hasNextPage": False}}}
    }
    created = {
        "data": {
            "webhookSubscriptionCreate": {"webhookSubscription": {"id": "2"}, "userErrors": []}
        }
    }
    sent = graphql_router(
        api, {"WebhookSubscriptions": [listing], "WebhookSubscriptionCreate": [created]}
    )
    topics = runtime.plugins.marketplace("shopify").register_webhooks(connection)
    assert topics == list(SUBSCRIBED_TOPICS)
    created_topics = [b["variables"]["topic"] for n, b in sent if n == "WebhookSubscriptionCreate"]
    assert len(created_topics) == len(SUBSCRIBED_TOPICS) - 1
    assert "DISPUTES_CREATE" not in created_topics
    assert "RETURNS_UPDATE" in created_topics


def test_register_webhooks_reports_user_errors(runtime, api):
    described = runtime.add_connection(
        "shopify", "eu", {"shop_domain": SHOP, "client_secret": SECRET, "access_token": TOKEN}
    )
    listing = {"data": {"webhookSubscriptions": {"nodes": [], "pageInfo": {"hasNextPage": False}}}}
    refused = {
        "data": {
            "webhookSubscriptionCreate": {
                "webhookSubscription": None,
                "userErrors": [
                    {
                        "field": ["webhookSubscription", "callbackUrl"],
                        "message": "Address is invalid",
                    }
                ],
            }
        }
    }
    graphql_router(api, {"WebhookSubscriptions": [listing], "WebhookSubscriptionCreate": [refused]})
    with pytest.raises(MarketplaceError, match="Address is invalid"):
        runtime.plugins.marketplace("shopify").register_webhooks(connection_of(runtime, described))


def test_return_policy_from_settings_and_shop_text(runtime, api):
    described = runtime.add_connection(
        "shopify",
        "eu",
        {
            "shop_domain": SHOP,
            "client_secret": SECRET,
            "access_token": TOKEN,
            "return_window_days": 30,
            "buyer_pays_return_shipping": True,
        },
    )
    graphql_router(
        api,
        {
            "ShopPolicies": [
                {
                    "data": {
                        "shop": {
                            "shopPolicies": [
                                {
                                    "type": "PRIVACY_POLICY",
                                    "title": "Privacy",
                                    "body": "...",
                                    "url": "u",
                                },
                                {
                                    "type": "REFUND_POLICY",
                                    "title": "Refunds",
                                    "body": "<p>30 days</p>",
                                    "url": "u",
                                },
                            ]
                        }
                    }
                }
            ]
        },
    )
    policy = runtime.plugins.marketplace("shopify").return_policy(connection_of(runtime, described))
    assert (policy.window_days, policy.buyer_pays_return_shipping, policy.text) == (
        30,
        True,
        "<p>30 days</p>",
    )
    assert policy.source == "connection settings + shopify refund policy"


def test_return_policy_falls_back_to_settings_when_shopify_fails(runtime, api):
    described = runtime.add_connection(
        "shopify",
        "eu",
        {
            "shop_domain": SHOP,
            "client_secret": SECRET,
            "access_token": TOKEN,
            "return_window_days": 14,
        },
    )
    api.post(GRAPHQL, status=401, json={"errors": "Invalid API key or access token"})
    policy = runtime.plugins.marketplace("shopify").return_policy(connection_of(runtime, described))
    assert (policy.window_days, policy.source, policy.text) == (14, "connection settings", "")


def test_return_policy_with_nothing_to_go_on_says_so(runtime):
    described = runtime.add_connection(
        "shopify", "eu", {"shop_domain": SHOP, "client_secret": SECRET}
    )
    with pytest.raises(MarketplaceError, match="return_window_days"):
        runtime.plugins.marketplace("shopify").return_policy(connection_of(runtime, described))
