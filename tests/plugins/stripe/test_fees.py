"""The fees Stripe reports on a dispute, kept on the case for the analytics' fees paid.

Payloads: stripe/openapi ``fixtures3.json``'s dispute (``balance_transactions`` empty, as
published), and the same dispute with the balance transaction WooPayments' dispute docs
show for the Stripe dispute it returns (``Automattic/woocommerce-payments``,
``docs/rest-api/source/includes/wp-api-v3/dispute.md``: ``fee`` 1500, ``currency`` "usd",
``fee_details`` "Dispute fee"), which is Stripe's balance transaction object.
"""

from __future__ import annotations

import copy

from disputeflow import Money
from disputeflow.features.analytics.facts import fees_of
from disputeflow.plugins.stripe.disputes import dispute_snapshot
from tests.builders import T0
from tests.plugins.stripe.conftest import fixture
from tests.plugins.woocommerce.conftest import fixture as woo_fixture


def test_no_balance_transaction_means_no_fee_figure():
    snap = dispute_snapshot(fixture("fixtures3_dispute.json"), T0, ())
    assert "fees" not in snap.extra


def test_the_dispute_fee_stripe_reports_is_kept():
    dispute = copy.deepcopy(fixture("fixtures3_dispute.json"))
    withdrawal = woo_fixture("wcpay_dispute_response.json")["balance_transactions"][0]
    dispute["balance_transactions"] = [withdrawal]
    snap = dispute_snapshot(dispute, T0, ())
    assert snap.extra["fees"] == [{"value": "15.00", "currency": "USD"}]
    assert fees_of(snap.extra) == (Money("15.00", "USD"),)
