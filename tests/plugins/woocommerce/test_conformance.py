"""disputeflow's conformance kit, run against the WooCommerce adapter."""

from __future__ import annotations

import pytest

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace
from disputeflow.plugins.woocommerce.samples import return_request_meta, sample_order
from disputeflow.plugins.woocommerce.webhooks import signed_request

EUR = "EUR"


class TestWooCommerce(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return WooCommerceMarketplace()

    @pytest.fixture
    def action_settings(self, settings):
        # Approving and declining returns go through the returns plugin's API: its key.
        return {**settings, "wpswings_secret_key": "wps_conformance_0123456789"}

    @pytest.fixture
    def expected_snapshots(self):
        return {
            "return_requested": [
                {
                    "platform": "woocommerce",
                    "object_type": "return",
                    "external_id": "7301",
                    "kind": "return",
                    "status": "needs_response",
                    "outcome": None,
                    "category": "damaged",
                    "platform_reason": "Product arrived damaged",
                    "platform_status": "return-requested",
                    "amount": {"value": "24.90", "currency": EUR},
                    "refunded": None,
                    "order": {"external_id": "7301", "name": "#7301"},
                    "buyer": {"country": "DE", "name": "João Silva"},
                    "opened_at": "2026-11-05T09:00:00Z",
                    "observed_at": "2026-11-05T10:00:00Z",
                    "extra": {
                        "payment_method": "stripe",
                        "return_items": [
                            {"item_id": "315", "product_id": "93", "variation_id": "0", "qty": "1"}
                        ],
                    },
                }
            ],
            "return_refunded": [
                {
                    "object_type": "return",
                    "external_id": "7301",
                    "status": "resolved",
                    "outcome": "buyer_favor",
                    "platform_status": "refunded",
                    "refunded": {"value": "24.90", "currency": EUR},
                },
                {
                    "effect": "order_refund",
                    "order_external_id": "7301",
                    "refund_external_id": "7310",
                    "amount": {"value": "24.90", "currency": EUR},
                    "note": "Return received",
                },
            ],
            "return_requested_jpy": [
                {
                    "external_id": "7302",
                    "category": "size_fit",
                    "amount": {"value": "4800", "currency": "JPY"},
                    "buyer": {"country": "JP"},
                }
            ],
            "order_partially_refunded": [
                {
                    "object_type": "return",
                    "external_id": "7303",
                    "status": "resolved",
                    "outcome": "partial",
                    "update_only": True,
                    "category": None,
                    "amount": None,
                },
                {
                    "effect": "order_refund",
                    "order_external_id": "7303",
                    "amount": {"value": "5.00", "currency": "USD"},
                },
            ],
            "order_created": [],
            "status_return_requested": [
                {"external_id": "7305", "status": "needs_response", "category": "other"}
            ],
            "status_return_refunded": [
                {
                    "external_id": "7305",
                    "status": "resolved",
                    "outcome": "buyer_favor",
                    "platform_status": "refunded",
                    "update_only": True,
                    "category": None,
                },
                {"effect": "order_refund", "refund_external_id": "7312"},
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, connection):
        meta = return_request_meta(subject="Buyer saw a ghost", reason="", status="haunted")
        payload = sample_order(7399, status="return-escalated-to-mars", meta=meta)
        return signed_request(
            payload,
            secret=connection.settings["webhook_secret"],
            store_url=connection.settings["store_url"],
        )


def test_plugin_is_installed():
    """The entry point in pyproject.toml loads this plugin, as a third party's would."""
    pm = get_plugin_manager()
    assert "woocommerce" in pm.marketplaces()
    assert not [error for error in pm.load_errors if error.name == "woocommerce"]
    assert isinstance(pm.marketplace("woocommerce"), WooCommerceMarketplace)
