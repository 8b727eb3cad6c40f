"""disputeflow's conformance kit, run against the eBay adapter, and the plugin's install."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.engine.store.tables import CaseRow, ConnectionRow
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.samples import object_message, signed_request
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key
from tests.plugins.ebay.conftest import load_case
from tests.plugins.ebay.payloads import a_dispute
from tests.webhooks.conftest import drain

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


def test_demo_samples_become_cases_through_the_intake_without_network(
    client, runtime, ebay, mocked
):
    """What ``disputeflow demo`` does: a connection with the example settings, each sample
    posted to its webhook URL (eBay's 204), then processed, with no call to eBay at all."""
    demo = runtime.add_connection("ebay", "demo-ebay", ebay.example_settings())
    with runtime.database.session() as session:
        connection = runtime.connection(session.get(ConnectionRow, demo["id"]))
    for sample in ebay.sample_deliveries(connection):
        response = client.post(
            f"/webhooks/ebay/{demo['id']}",
            data=sample.request.body,
            headers=dict(sample.request.headers),
        )
        assert response.status_code == 204, (sample.name, response.get_json())
    assert drain(runtime) == (7, 0)
    assert not mocked.mock.calls
    with runtime.database.session() as session:
        assert len(session.scalars(select(CaseRow)).all()) == 4
    refunded = load_case(runtime, "return", "5000012345")
    assert (refunded.status, refunded.outcome) == ("resolved", "buyer_favor")
    won = load_case(runtime, "payment_dispute", "5098765432")
    assert (won.status, won.outcome) == ("resolved", "merchant_favor")
