"""disputeflow's conformance kit, run against the Stripe adapter as a third party runs it."""

from __future__ import annotations

import pytest

from disputeflow.core.plugins import get_plugin_manager
from disputeflow.core.testing import MarketplaceAdapterTests
from disputeflow.plugins.stripe.marketplace import StripeMarketplace
from disputeflow.plugins.stripe.samples import chargeback, envelope
from disputeflow.plugins.stripe.webhooks import signed_request

DUE = {"kind": "platform_response", "source": "stripe", "party": "merchant"}


class TestStripe(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return StripeMarketplace()

    @pytest.fixture
    def expected_snapshots(self):
        # The samples are Stripe's documented objects (disputeflow/plugins/stripe/samples.py).
        return {
            "inquiry_opened": [
                {
                    "platform": "stripe",
                    "object_type": "dispute",
                    "external_id": "du_1MtJUT2eZvKYlo2CNaw2HvEv",
                    "kind": "inquiry",
                    "stage": "inquiry",
                    "status": "needs_response",
                    "outcome": None,
                    "category": "other",
                    "platform_reason": "general",
                    "platform_status": "warning_needs_response",
                    "amount": {"value": "10.00", "currency": "USD"},
                    "opened_at": "2023-04-04T23:42:17Z",
                    "observed_at": "2023-04-04T23:42:17Z",
                    "deadlines": [{**DUE, "due_at": "2023-04-23T23:59:59Z"}],
                    # webhooks never expand the charge: the charge id alone (the next
                    # sync adds the order number), which links it to a store's order
                    "order": {
                        "external_id": None,
                        "name": None,
                        "total": None,
                        "placed_at": None,
                        "references": [
                            {"kind": "transaction_id", "value": "ch_1AZtxr2eZvKYlo2CJDX8whov"}
                        ],
                    },
                    "extra": {"charge_id": "ch_1AZtxr2eZvKYlo2CJDX8whov"},
                }
            ],
            "chargeback_opened": [
                {
                    "external_id": "dp_1Pgc71B7WZ01zgkWMevJiAUx",
                    "kind": "chargeback",
                    "stage": "chargeback",
                    "status": "needs_response",
                    "category": "fraud",
                    "platform_reason": "fraudulent",
                    "network_reason_code": "10.4",
                    "amount": {"value": "1000", "currency": "JPY"},  # zero-decimal: ¥1,000
                    "deadlines": [{**DUE, "due_at": "2024-08-14T23:59:59Z"}],
                    "extra": {
                        "charge_id": "ch_1PgafuB7WZ01zgkWXYmPNZs8",
                        "card_brand": "visa",
                        "card_network": "visa",  # what the ratio monitor counts by
                        "card_case_type": "chargeback",
                    },
                }
            ],
            "chargeback_won": [
                {
                    "external_id": "dp_1Pgc71B7WZ01zgkWMevJiAUx",
                    "status": "resolved",
                    "outcome": "merchant_favor",
                    "platform_status": "won",
                    "observed_at": "2009-03-15T23:31:30Z",
                    "deadlines": [],
                }
            ],
            "fraud_warning": [
                {
                    "object_type": "early_fraud_warning",
                    "external_id": "issfr_1Pgc79B7WZ01zgkWxwDzEIPX",
                    "kind": "inquiry",
                    "status": "needs_response",
                    "category": "fraud",
                    "platform_reason": "misc",
                    "platform_status": "actionable",
                    "amount": None,  # a warning states no amount; its charge does (polling)
                    "extra": {"charge_id": "ch_1234"},
                }
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, marketplace, connection):
        # Signed for the kit's connection; a status and a reason Stripe has never sent yet.
        item = chargeback(id="dp_unknown", status="escalated_to_the_moon", reason="saw_a_ghost")
        body = envelope("evt_unknown", "charge.dispute.updated", item["created"], item)
        secret = connection.settings["webhook_secret"]
        return signed_request(body, secret=secret, timestamp=int(marketplace.now().timestamp()))


def test_plugin_is_installed():
    """The entry point in pyproject.toml loads this plugin, as disputeflow loads it."""
    manager = get_plugin_manager()
    assert "stripe" in manager.marketplaces()
    assert not [error for error in manager.load_errors if error.name == "stripe"]
    assert isinstance(manager.marketplace("stripe"), StripeMarketplace)
