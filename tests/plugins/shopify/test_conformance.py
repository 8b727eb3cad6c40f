"""disputeflow's conformance kit, run against the Shopify adapter."""

from __future__ import annotations

import pytest

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace
from disputeflow.plugins.shopify.webhooks import signed_request

CAD = {"value": "11.50", "currency": "CAD"}


class TestShopify(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return ShopifyMarketplace(sleep=lambda seconds: None)

    @pytest.fixture
    def action_settings(self, settings):
        # The install flow gives the token (example_settings has none): actions need one.
        return {**settings, "access_token": "shpat_conformance_0123456789"}

    @pytest.fixture
    def expected_snapshots(self):
        return {
            "dispute_created": [
                {
                    "platform": "shopify",
                    "object_type": "dispute",
                    "external_id": "285332461850802063",
                    "kind": "chargeback",
                    "stage": "chargeback",
                    "status": "under_review",
                    "category": "fraud",
                    "platform_reason": "fraudulent",
                    "network_reason_code": "4837",
                    "amount": CAD,
                    "order": {"external_id": "820982911946154508"},
                    "opened_at": "2022-01-01T00:00:00Z",
                    "observed_at": "2022-01-01T00:00:05Z",
                    "deadlines": [
                        {
                            "kind": "platform_response",
                            "due_at": "2021-12-31T00:00:00Z",
                            "source": "shopify",
                            "party": "merchant",
                        }
                    ],
                }
            ],
            "dispute_won": [{"status": "resolved", "outcome": "merchant_favor", "amount": CAD}],
            "inquiry_opened": [
                {
                    "kind": "inquiry",
                    "stage": "inquiry",
                    "status": "needs_response",
                    "external_id": "670893524",
                    "deadlines": [],
                }
            ],
            "return_requested": [
                {
                    "object_type": "return",
                    "kind": "return",
                    "status": "needs_response",
                    "external_id": "123134564567890",
                    "order": {"external_id": "4783296544821"},
                    "platform_status": "requested",
                    "amount": None,
                }
            ],
            "return_declined": [
                {
                    "status": "resolved",
                    "outcome": "merchant_favor",
                    "platform_status": "declined",
                    "extra": {
                        "shopify_return_decline": {
                            "reason": "return_period_ended",
                            "note": "Our 30-day window has passed.",
                        }
                    },
                }
            ],
            "refund_created": [
                {
                    "effect": "order_refund",
                    "order_external_id": "820982911946154508",
                    "refund_external_id": "890088186047892319",
                    "amount": {"value": "85.00", "currency": "USD"},
                    "note": "Things were damaged",
                }
            ],
            "customer_data_request": [
                {
                    "effect": "data_request",
                    "reason": "shopify customers/data_request 9999",
                    "subject": {
                        "customer_external_id": "191167",
                        "email": "john@example.com",
                        "order_external_ids": ["299938", "280263", "220458"],
                    },
                }
            ],
            "customer_redact": [
                {
                    "effect": "personal_data_erasure",
                    "reason": "shopify customers/redact",
                    "everything": False,
                    "subject": {"customer_external_id": "191167"},
                }
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, connection):
        payload = {
            "id": 9007199254740993,
            "order_id": 9007199254740995,
            "type": "chargeback",
            "amount": "1000",
            "currency": "JPY",
            "reason": "buyer_saw_a_ghost",
            "status": "escalated_to_the_moon",
            "evidence_due_by": None,
            "initiated_at": "2026-04-01T09:00:00+09:00",
        }
        return signed_request(
            payload,
            secret=connection.settings["client_secret"],
            shop=connection.settings["shop_domain"],
            topic="disputes/update",
            webhook_id="unknown-1",
        )


def test_plugin_is_installed():
    manager = get_plugin_manager()
    assert "shopify" in manager.marketplaces()
    assert not [e for e in manager.load_errors if e.name == "shopify"]
