"""PayPal's values mapped to the common model: every documented value of each table
(Disputes API v1 enums, paypal-rest-api-specifications ``customer_disputes_v1.json`` v1.10,
checked 2026-12-04), and the cases the tables alone do not decide."""

from __future__ import annotations

import copy
import json

import pytest

from disputeflow import StoredDelivery
from disputeflow.core.testing import make_connection
from disputeflow.core.testing.support import TEST_TIME
from disputeflow.plugins.paypal.disputes import to_snapshot
from disputeflow.plugins.paypal.mapping import OUTCOMES, REASONS, STATES, STATUSES, kind_of
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.samples import INQUIRY, RESOLVED, event

DOCUMENTED = {
    "reason": [
        "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
        "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED",
        "UNAUTHORISED",
        "CREDIT_NOT_PROCESSED",
        "DUPLICATE_TRANSACTION",
        "INCORRECT_AMOUNT",
        "PAYMENT_BY_OTHER_MEANS",
        "CANCELED_RECURRING_BILLING",
        "PROBLEM_WITH_REMITTANCE",
        "OTHER",
    ],
    "status": [
        "OPEN",
        "WAITING_FOR_BUYER_RESPONSE",
        "WAITING_FOR_SELLER_RESPONSE",
        "UNDER_REVIEW",
        "RESOLVED",
    ],
    "state": [
        "OPEN_INQUIRIES",
        "REQUIRED_ACTION",
        "REQUIRED_OTHER_PARTY_ACTION",
        "UNDER_PAYPAL_REVIEW",
        "APPEALABLE",
        "RESOLVED",
    ],
    "outcome": [
        "RESOLVED_BUYER_FAVOUR",
        "RESOLVED_SELLER_FAVOUR",
        "RESOLVED_WITH_PAYOUT",
        "CANCELED_BY_BUYER",
        "ACCEPTED",
        "DENIED",
    ],
}


def test_every_documented_value_has_a_mapping():
    assert sorted(REASONS) == sorted(DOCUMENTED["reason"])
    assert sorted(STATUSES) == sorted(DOCUMENTED["status"])  # "OTHER" keeps the last status
    assert sorted(STATES) == sorted(DOCUMENTED["state"])
    assert sorted(OUTCOMES) == sorted(DOCUMENTED["outcome"])  # "NONE" states no outcome


@pytest.mark.parametrize(
    ("channel", "stage", "kind"),
    [
        ("INTERNAL", "INQUIRY", "inquiry"),
        ("INTERNAL", "CHARGEBACK", "claim"),  # PayPal's CHARGEBACK stage is a PayPal claim
        ("INTERNAL", "PRE_ARBITRATION", "claim"),
        ("EXTERNAL", "CHARGEBACK", "chargeback"),  # the card issuer's chargeback
        ("EXTERNAL", "ARBITRATION", "chargeback"),
        ("ALERT", None, "inquiry"),
        (None, "CHARGEBACK", "claim"),
    ],
)
def test_kinds_follow_channel_and_stage(channel, stage, kind):
    assert kind_of(channel, stage) == kind


def test_the_merchants_own_state_wins_over_the_overall_status():
    appealable = {**copy.deepcopy(RESOLVED), "dispute_state": "APPEALABLE"}
    snapshot = to_snapshot("paypal", appealable)
    assert (snapshot.status, snapshot.outcome) == ("needs_response", None)  # may appeal
    assert snapshot.platform_status == "RESOLVED"


def test_a_partial_refund_in_the_buyers_favour_is_partial():
    partial = copy.deepcopy(RESOLVED)
    partial["dispute_outcome"]["amount_refunded"]["value"] = "4.00"
    snapshot = to_snapshot("paypal", partial)
    assert (snapshot.outcome, str(snapshot.refunded)) == ("partial", "4.00 EUR")


def test_an_external_chargeback_keeps_the_card_networks_reason_code():
    chargeback = {
        **copy.deepcopy(INQUIRY),
        "dispute_channel": "EXTERNAL",
        "dispute_life_cycle_stage": "CHARGEBACK",
        "external_reason_code": "10.4",
        "reason": "UNAUTHORISED",
    }
    snapshot = to_snapshot("paypal", chargeback)
    assert (snapshot.kind, snapshot.category, snapshot.network_reason_code) == (
        "chargeback",
        "fraud",
        "10.4",
    )


def test_the_invoice_number_names_the_order_for_other_channels():
    """``invoice_number`` and ``custom`` are what a shop's other channels know the order by."""
    with_invoice = copy.deepcopy(INQUIRY)
    with_invoice["disputed_transactions"][0].update(invoice_number="WC-1001", custom="order-1001")
    snapshot = to_snapshot("paypal", with_invoice)
    assert (snapshot.order.external_id, snapshot.order.name) == ("WC-1001", "WC-1001")
    seller_transaction = INQUIRY["disputed_transactions"][0]["seller_transaction_id"]
    assert snapshot.order.references == (
        ("order_number", "WC-1001"),
        ("transaction_id", seller_transaction),
    )
    assert snapshot.extra["invoice_numbers"] == ["WC-1001"]
    assert snapshot.extra["custom"] == ["order-1001"]


def test_evidence_requests_are_not_evidence():
    snapshot = to_snapshot("paypal", INQUIRY)
    assert [(e.party, e.kind) for e in snapshot.evidence] == [("buyer", "create")]
    assert snapshot.extra["requested_evidence"] == ["PROOF_OF_FULFILLMENT"]


def test_translation_reads_the_dispute_and_ignores_other_events():
    market = PaypalMarketplace()
    connection = make_connection(market, market.example_settings())

    def stored(body):
        return StoredDelivery(
            "d1", connection.id, "paypal", "t", "k", {}, json.dumps(body).encode(), TEST_TIME
        )

    bad_time = {**event("WH-1", "CUSTOMER.DISPUTE.UPDATED", INQUIRY), "create_time": "soon"}
    [snapshot] = market.translate_delivery(connection, stored(bad_time))
    assert snapshot.observed_at.isoformat() == "2025-09-18T09:49:53.336000+00:00"
    sale = {"id": "WH-2", "event_type": "PAYMENT.SALE.COMPLETED", "resource": {"id": "80F"}}
    assert market.translate_delivery(connection, stored(sale)) == []
