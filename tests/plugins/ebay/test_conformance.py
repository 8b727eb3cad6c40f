"""disputeflow's conformance kit, run against the eBay adapter, and the plugin's install."""

from __future__ import annotations

import pytest

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.samples import object_message, signed_request
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key
from tests.plugins.ebay.payloads import a_dispute

ERASURE = {"effect": "personal_data_erasure", "reason": "ebay marketplace account deletion"}


class TestEbay(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return EbayMarketplace()

    @pytest.fixture
    def expected_snapshots(self):
        return {
            "account_deletion": [
                {**ERASURE, "subject": {"customer_external_id": "test_user"}},
                {**ERASURE, "subject": {"customer_external_id": "ma8vp1jySJC"}},
            ],
            "return_requested": [
                {
                    "platform": "ebay",
                    "object_type": "return",
                    "external_id": "5000012345",
                    "kind": "return",
                    "status": "needs_response",
                    "category": "defective",
                    "platform_reason": "DEFECTIVE_ITEM",
                    "platform_status": "RETURN_REQUESTED",
                    "amount": {"value": "39.90", "currency": "EUR"},
                    "buyer": {"country": "DE", "external_id": "kaeufer_de"},
                    "order": {"external_id": "12-34567-89012"},
                    "deadlines": [
                        {
                            "kind": "platform_response",
                            "due_at": "2026-03-05T09:00:00Z",
                            "source": "ebay:SELLER_APPROVE_REQUEST",
                            "party": "merchant",
                        }
                    ],
                }
            ],
            "return_refunded": [
                {
                    "status": "resolved",
                    "outcome": "buyer_favor",
                    "refunded": {"value": "39.90", "currency": "EUR"},
                    "deadlines": [],
                }
            ],
            "inquiry_opened": [
                {
                    "object_type": "inquiry",
                    "kind": "inquiry",
                    "status": "needs_response",
                    "category": "not_received",
                    "amount": {"value": "24.99", "currency": "USD"},
                }
            ],
            "case_opened": [
                {
                    "object_type": "case",
                    "external_id": "5312345678901234567",
                    "kind": "claim",
                    "status": "needs_response",
                    "category": "not_received",
                    "amount": {"value": "4800", "currency": "JPY"},
                }
            ],
            "payment_dispute_opened": [
                {
                    "object_type": "payment_dispute",
                    "kind": "chargeback",
                    "stage": "chargeback",
                    "status": "needs_response",
                    "category": "fraud",
                    "revision": 2,
                    "amount": {"value": "129.50", "currency": "GBP"},
                    "extra": {"available_choices": ["CONTEST", "ACCEPT"]},
                }
            ],
            "payment_dispute_won": [
                {"status": "resolved", "outcome": "merchant_favor", "revision": 4}
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, connection):
        dispute = a_dispute(
            "5098700001",
            status="ESCALATED_TO_THE_COUNCIL",
            reason="BUYER_SAW_A_GHOST",
        )
        payload = object_message("payment_dispute", dispute, "unknown-1", "2026-04-01T00:00:00Z")
        key = sample_private_key(
            connection.settings["client_id"], connection.settings["client_secret"]
        )
        return signed_request(payload, key, SAMPLE_KID)


def test_plugin_is_installed():
    manager = get_plugin_manager()
    assert isinstance(manager.marketplaces()["ebay"], EbayMarketplace)
    assert not [error for error in manager.load_errors if "ebay" in str(error)]
