"""WooPayments disputes arriving as order webhooks: the order says a dispute may be there
(on-hold, completed, a "Dispute lost." refund), the dispute is read from the store's API."""

from __future__ import annotations

import copy

import pytest
from responses import matchers

from disputeflow import Money
from disputeflow.engine.processing import process_deliveries
from tests.plugins.woocommerce.conftest import (
    API,
    case_count,
    deliver,
    deliver_and_process,
    deliveries,
    fixture,
    load_case,
    order,
)
from tests.webhooks.conftest import drain

# The list's documented ``search`` filter (WooPayments ``List_Disputes::set_search``), by the
# order number first: no paging through every dispute of the store.
LIST_QUERY = {"search": "123", "pagesize": "100", "sort": "created", "direction": "desc"}


def wcpay_order(status, *, modified="2023-04-06T04:20:00", **changes):
    """Order 123, paid with WooPayments, as WooPayments leaves it around a dispute."""
    return order(
        id=123,
        number="123",
        status=status,
        total="20.00",
        payment_method="woocommerce_payments",
        payment_method_title="Credit card",
        date_created_gmt="2023-04-01T10:00:00",
        date_modified_gmt=modified,
        meta_data=[{"id": 1, "key": "_charge_id", "value": "ch_345"}],
        **changes,
    )


def dispute(**changes):
    detail = copy.deepcopy(fixture("wcpay_dispute_response.json"))
    detail.update(changes)
    return detail


def serve_dispute(api, detail, *, list_status=None):
    listing = fixture("wcpay_disputes_list_response.json")
    listing["data"][0]["status"] = list_status or detail["status"]
    api.get(
        f"{API}/payments/disputes", json=listing, match=[matchers.query_param_matcher(LIST_QUERY)]
    )
    api.get(f"{API}/payments/disputes/dp_123", json=detail)


def test_a_dispute_opened_becomes_a_chargeback_case(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute())
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    case = load_case(runtime, "dp_123", "dispute")
    assert (case.kind, case.stage, case.status, case.outcome) == (
        "chargeback",
        "chargeback",
        "needs_response",
        None,
    )
    assert case.category == "not_received"
    assert case.platform_reason == "product_not_received"
    assert case.platform_status == "needs_response"
    assert case.amount == Money("20.00", "USD")
    assert case.opened_at.isoformat() == "2023-04-06T04:19:38+00:00"
    assert case.due_at.isoformat() == "2023-04-15T23:59:59+00:00"
    [deadline] = case.deadlines
    assert (deadline.kind, deadline.source, deadline.party) == (
        "platform_response",
        "woopayments",
        "merchant",
    )
    assert case.order.external_id == "123"
    assert case.extra["charge_id"] == "ch_345"
    # the documented balance transaction's fee (1500 usd, "Dispute fee"): the fee paid
    assert case.extra["fees"] == [{"value": "15.00", "currency": "USD"}]
    assert case.evidence == []  # pre-filled fields are drafts until submitted
    assert runtime.fill_allowed_actions(case).allowed_actions == ["accept", "contest", "add_note"]
    assert api.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert case_count(runtime) == 1  # on-hold is no return: only the dispute


def test_a_dispute_won(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute())
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    won = dispute(
        status="won",
        metadata={"__evidence_submitted_at": "1681000000"},
        evidence_details={"due_by": 1681603199, "has_evidence": True, "submission_count": 1},
        evidence={"uncategorized_text": "Delivered, signed for by the buyer."},
        balance_transactions=[
            *dispute()["balance_transactions"],
            {"id": "txn_789", "amount": 2000, "created": 1684000000, "currency": "usd"},
        ],
    )
    serve_dispute(api, won)
    deliver_and_process(
        client, runtime, wcpay_connection, wcpay_order("completed", modified="2023-05-13T18:00:00")
    )
    case = load_case(runtime, "dp_123", "dispute")
    assert (case.status, case.outcome) == ("resolved", "merchant_favor")
    assert case.due_at is None
    assert case.deadlines == []
    [evidence] = case.evidence
    assert (evidence.party, evidence.kind) == ("merchant", "uncategorized_text")
    assert evidence.submitted_at.isoformat() == "2023-04-09T00:26:40+00:00"
    resolved = [e for e in case.timeline if e.kind == "resolved"]
    assert [e.at.isoformat() for e in resolved] == ["2023-05-13T17:46:40+00:00"]
    assert "deadline_removed" in [e.kind for e in case.timeline]


def test_a_dispute_lost_refunds_the_order(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute())
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    serve_dispute(api, dispute(status="lost", metadata={"__dispute_closed_at": "1682000000"}))
    refunds = [{"id": 900, "reason": "Dispute lost.", "total": "-20.00"}]
    lost = wcpay_order("refunded", modified="2023-04-20T14:13:20", refunds=refunds)
    deliver_and_process(client, runtime, wcpay_connection, lost)
    case = load_case(runtime, "dp_123", "dispute")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.refunded == Money("20.00", "USD")
    assert any("Dispute lost." in e.summary for e in case.timeline if e.kind == "refunded")
    assert case_count(runtime) == 1


def test_an_inquiry_is_its_own_kind(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute(status="warning_needs_response", reason="fraudulent"))
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    case = load_case(runtime, "dp_123", "dispute")
    assert (case.kind, case.stage, case.status) == ("inquiry", "inquiry", "needs_response")
    assert case.category == "fraud"
    allowed = runtime.fill_allowed_actions(case).allowed_actions
    assert allowed == ["refund", "accept", "contest", "send_message", "add_note"]


def test_unknown_dispute_values_are_kept_raw(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute(status="escalated_to_visa", reason="bank_saw_a_ghost"))
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    case = load_case(runtime, "dp_123", "dispute")
    assert case.status == "needs_response"  # unknown: the merchant looks rather than nobody
    assert case.category == "other"
    assert (case.platform_status, case.platform_reason) == ("escalated_to_visa", "bank_saw_a_ghost")


def test_a_jpy_dispute_has_no_minor_units(client, runtime, wcpay_connection, api):
    serve_dispute(api, dispute(amount=4800, currency="jpy"))
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    case = load_case(runtime, "dp_123", "dispute")
    assert case.amount.to_dict() == {"value": "4800", "currency": "JPY"}


@pytest.mark.parametrize(
    "payload",
    [
        order(status="on-hold"),  # bank transfer awaiting payment: on-hold without WooPayments
        order(status="processing", payment_method="woocommerce_payments"),
    ],
)
def test_orders_that_cannot_hold_a_dispute_cost_no_call(
    client, runtime, wcpay_connection, api, payload
):
    deliver_and_process(client, runtime, wcpay_connection, payload)
    assert len(api.calls) == 0
    assert case_count(runtime) == 0


def test_without_woopayments_no_dispute_is_read(client, runtime, connection, api):
    deliver_and_process(client, runtime, connection, wcpay_order("on-hold"))
    assert len(api.calls) == 0


def test_a_store_that_is_down_keeps_the_delivery_for_later(
    client, runtime, wcpay_connection, api, waits
):
    listing_url = f"{API}/payments/disputes"
    for _ in range(3):  # one call, retried twice with backoff
        api.get(listing_url, status=503, body="<html>maintenance</html>")
    serve_dispute(api, dispute())
    deliver(client, wcpay_connection, wcpay_order("on-hold"))
    assert drain(runtime) == (1, 1)  # failed once, processed on the retry
    assert len(waits) == 2
    assert load_case(runtime, "dp_123", "dispute").status == "needs_response"


def test_refused_keys_fail_the_delivery_with_the_stores_words(
    client, runtime, wcpay_connection, api
):
    api.get(
        f"{API}/payments/disputes",
        status=401,
        json={
            "code": "woocommerce_rest_authentication_error",
            "message": "Consumer key is invalid.",
            "data": {"status": 401},
        },
    )
    deliver(client, wcpay_connection, wcpay_order("on-hold"))
    assert process_deliveries(runtime).failed == 1
    [(status, _, error)] = deliveries(runtime)
    assert status == "failed"
    assert "woocommerce_rest_authentication_error" in error
    assert "Consumer key is invalid." in error
    assert case_count(runtime) == 0
