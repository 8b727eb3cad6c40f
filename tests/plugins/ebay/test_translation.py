"""eBay objects through the HTTP intake (signed as eBay signs) into cases: kind, status,
outcome, category, money, deadlines and timeline, with the variations real traffic brings."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from disputeflow.plugins.ebay.returns import return_snapshot
from tests.plugins.ebay.conftest import deliver_object, load_case
from tests.plugins.ebay.payloads import (
    a_case,
    a_dispute,
    a_return,
    amount,
    an_inquiry,
    to_json,
    when,
)
from tests.webhooks.conftest import drain

_ids = itertools.count(1)


@pytest.fixture
def ingest(client, runtime, shop, mocked, signing_key):
    def ingest(object_type, obj, at="2026-03-10T10:00:00Z", external_id=None):
        deliver_object(client, shop, signing_key, object_type, obj, f"n-{next(_ids)}", at)
        assert drain(runtime) == (1, 0)
        key = external_id or _id_of(object_type, obj)
        return load_case(runtime, object_type, key)

    return ingest


def _id_of(object_type, obj):
    field = {
        "return": "returnId",
        "inquiry": "inquiryId",
        "case": "caseId",
        "payment_dispute": "paymentDisputeId",
    }[object_type]
    return str((obj.get("summary") or obj)[field])


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def kinds(case):
    return [entry.kind for entry in case.timeline]


def ebay_deadlines(case):
    """The deadlines eBay stated (the core may add its own: statutory, SLA ...)."""
    return [d for d in case.deadlines if d.source.startswith("ebay:")]


def merchant_due(case):
    """The earliest deadline eBay gives the merchant."""
    return min((d.due_at for d in ebay_deadlines(case) if d.party == "merchant"), default=None)


# -- returns ----------------------------------------------------------------------------------


def test_a_return_from_request_to_refund(ingest):
    case = ingest("return", a_return(), at="2026-03-02T09:00:05Z")
    assert (case.kind, case.status, case.category) == ("return", "needs_response", "defective")
    assert (str(case.amount), case.buyer.country, case.buyer.name) == (
        "39.90 EUR",
        "DE",
        "Jana Beispiel",
    )
    assert case.order.external_id == "12-34567-89012"
    assert merchant_due(case) == utc("2026-03-05T09:00:00Z")
    assert case.messages[0].party == "buyer"
    assert case.extra["seller_options"] == ["SELLER_APPROVE_REQUEST", "SELLER_DECLINE_REQUEST"]

    shipped = a_return(
        state="ITEM_SHIPPED",
        sellerResponseDue=None,
        buyerResponseDue=None,
        sellerAvailableOptions=[],
    )
    case = ingest("return", shipped, at="2026-03-06T08:00:00Z")
    assert (case.status, case.must_act, ebay_deadlines(case)) == ("awaiting_buyer", "buyer", [])

    delivered = a_return(state="ITEM_DELIVERED", sellerResponseDue=None)
    delivered["detail"]["responseHistory"] = [
        {
            "activity": "BUYER_SHIP_ITEM",
            "author": "BUYER",
            "toState": "ITEM_SHIPPED",
            "creationDate": when("2026-03-06T08:00:00.000Z"),
            "notes": "Sent with DHL",
        },
        {
            "activity": "NOTIFY_DELIVERED",
            "author": "SYSTEM",
            "toState": "ITEM_DELIVERED",
            "creationDate": when("2026-03-13T16:00:00.000Z"),
        },  # a Friday
    ]
    case = ingest("return", delivered, at="2026-03-13T16:00:05Z")
    assert case.status == "needs_response"
    (deadline,) = ebay_deadlines(case)  # 2 business days after delivery: over the weekend
    assert (deadline.due_at, deadline.source) == (
        utc("2026-03-17T16:00:00Z"),
        "ebay:refund_2_business_days",
    )
    assert "Sent with DHL" in [m.body for m in case.messages]

    refunded = a_return(
        state="CLOSED",
        sellerResponseDue=None,
        sellerTotalRefund={
            "estimatedRefundAmount": amount("39.90", "EUR"),
            "actualRefundAmount": amount("39.90", "EUR"),
        },
    )
    refunded["detail"]["closeInfo"] = {"returnCloseReason": "FULL_REFUNDED"}
    case = ingest("return", refunded, at="2026-03-14T10:00:00Z")
    assert (case.status, case.outcome, str(case.refunded)) == (
        "resolved",
        "buyer_favor",
        "39.90 EUR",
    )
    assert (case.due_at, ebay_deadlines(case)) == (None, [])
    assert {"opened", "status_changed", "resolved", "refunded"} <= set(kinds(case))


@pytest.mark.parametrize(
    ("refund", "reason", "outcome"),
    [
        ("10.00", None, "partial"),
        ("39.90", None, "buyer_favor"),
        (None, "BUYER_CLOSED", "withdrawn"),
        (None, "REQUEST_DECLINED", "merchant_favor"),
        (None, "A_REASON_EBAY_ADDS_LATER", None),
    ],
)
def test_a_closed_return_ends_by_its_reason_or_its_refund(ingest, refund, reason, outcome):
    totals = {"estimatedRefundAmount": amount("39.90", "EUR")}
    if refund:
        totals["actualRefundAmount"] = amount(refund, "EUR")
    closed = a_return(state="CLOSED", sellerResponseDue=None, sellerTotalRefund=totals)
    if reason:
        closed["detail"]["closeInfo"] = {"returnCloseReason": reason}
    case = ingest("return", closed)
    assert (case.status, case.outcome) == ("resolved", outcome)


def test_an_escalated_return_is_in_ebays_hands(ingest):
    escalated = a_return(
        state="CLOSED",
        status="ESCALATED",
        sellerResponseDue=None,
        escalationInfo={"caseId": "5300099999"},
    )
    case = ingest("return", escalated)
    assert (case.status, case.must_act, case.outcome) == ("under_review", "platform", None)
    assert case.extra["case_id"] == "5300099999"


def test_unknown_return_values_keep_the_last_status_and_the_raw_values(ingest):
    ingest("return", a_return("5000077777"), at="2026-03-02T09:00:05Z")
    odd = a_return("5000077777", state="TELEPORTED_BACK", status="TELEPORTED_BACK")
    odd["summary"]["creationInfo"]["reason"] = "HAUNTED"
    case = ingest("return", odd, at="2026-03-03T09:00:00Z")
    assert case.status == "needs_response"  # kept from what eBay said before
    assert (case.category, case.platform_reason, case.platform_status) == (
        "other",
        "HAUNTED",
        "TELEPORTED_BACK",
    )


def test_a_bare_return_with_only_its_id_and_state(ingest):
    bare = {"summary": {"returnId": "5000088888", "state": "RETURN_REQUESTED"}}
    case = ingest("return", bare)
    assert (case.kind, case.status, case.amount, case.buyer, case.order) == (
        "return",
        "needs_response",
        None,
        None,
        None,
    )
    assert case.category == "other"


def test_a_cross_border_return_in_the_buyers_currency(ingest):
    swiss = a_return(
        "5000099999",
        sellerTotalRefund=None,
        buyerTotalRefund={"estimatedRefundAmount": amount("45.5", "CHF")},
    )
    swiss["detail"]["buyerAddress"]["address"]["country"] = "ch"
    case = ingest("return", swiss)
    assert (str(case.amount), case.buyer.country) == ("45.50 CHF", "CH")


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("ARRIVED_DAMAGED", "damaged"),
        ("NOT_AS_DESCRIBED", "not_as_described"),
        ("MISSING_PARTS", "missing_parts"),
        ("WRONG_SIZE", "size_fit"),
        ("NO_LONGER_NEED_ITEM", "changed_mind"),
        ("ORDERED_DIFFERENT_ITEM", "wrong_item"),
    ],
)
def test_return_reasons(reason, category):
    """The reason table, translated directly (the intake path is covered above)."""
    body = a_return()
    body["summary"]["creationInfo"]["reason"] = reason
    snapshot = return_snapshot(
        json.loads(to_json(body), parse_float=Decimal), utc("2026-03-10T10:00:00Z")
    )
    assert snapshot.category == category


# -- item-not-received inquiries ----------------------------------------------------------------


def test_an_inquiry_needs_the_seller_until_tracking_is_given(ingest):
    case = ingest("inquiry", an_inquiry(), at="2026-03-03T15:30:05Z")
    assert (case.kind, case.category, case.status) == ("inquiry", "not_received", "needs_response")
    assert (str(case.amount), case.buyer.external_id) == ("24.99 USD", "where_is_it_us")
    assert merchant_due(case) == utc("2026-03-06T15:30:00Z")
    tracked = an_inquiry(status="OPEN", state="TRACKING_PROVIDED")
    assert ingest("inquiry", tracked, at="2026-03-04T09:00:00Z").status == "awaiting_buyer"


@pytest.mark.parametrize(
    ("status", "state", "expected"),
    [
        ("CLOSED", "PARTIAL_REFUND_ACCEPTED", ("resolved", "partial")),
        ("CLOSED", "FULL_REFUND_AGREED", ("resolved", "buyer_favor")),
        ("CLOSED", "CLOSED", ("resolved", None)),
        ("CLOSED_WITH_ESCALATION", "CLOSED", ("under_review", None)),
    ],
)
def test_how_an_inquiry_ends(ingest, status, state, expected):
    case = ingest("inquiry", an_inquiry(status=status, state=state))
    assert (case.status, case.outcome) == expected
    if case.status == "resolved":
        assert ebay_deadlines(case) == []


# -- cases (eBay decides) -----------------------------------------------------------------------


def test_an_open_case_with_a_64_bit_id_and_its_windows(ingest):
    big = 5312345678901234567
    body = a_case(big, actionDeadlines={"daysToExpireWithoutResponse": 3, "daysToReturnItem": 5})
    case = ingest("case", body, at="2026-03-04T01:00:05Z", external_id=str(big))
    assert case.external_id == "5312345678901234567"  # exact: a JSON number past 2**53
    assert (case.kind, case.status, case.category) == ("claim", "needs_response", "not_received")
    assert str(case.amount) == "4800 JPY"
    sources = {d.source: (d.due_at, d.party) for d in ebay_deadlines(case)}
    assert sources["ebay:case_expires"] == (utc("2026-03-07T01:00:00Z"), "merchant")
    assert sources["ebay:days_to_expire_without_response"] == (
        utc("2026-03-07T01:00:05Z"),
        "merchant",
    )
    assert sources["ebay:days_to_return_item"][1] == "buyer"
    assert merchant_due(case) == utc("2026-03-07T01:00:00Z")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"status": "CLOSED", "sellerClosureReason": "BUYER_WINS_SELLER_FAULT"},
            ("resolved", "buyer_favor", None),
        ),
        (
            {"status": "CS_CLOSED", "buyerClosureReason": "SELLER_WINS_BUYER_FAULT"},
            ("resolved", "merchant_favor", None),
        ),
        (
            {"status": "CLOSED", "buyerClosureReason": "BUYER_CLOSE"},
            ("resolved", "withdrawn", None),
        ),
        ({"status": "WAITING_CS"}, ("under_review", None, None)),
        (
            {"status": "CLOSED", "appealDetails": {"appealStatusEnum": "SELLER_APPEALED"}},
            ("under_review", None, "appeal"),
        ),
        (
            {
                "status": "CLOSED",
                "appealDetails": {
                    "appealStatusEnum": "SELLER_APPEALED",
                    "appealCloseReasonEnum": "APPEAL_SELLER_WINS_FULL_CREDIT",
                },
            },
            ("resolved", "merchant_favor", "appeal"),
        ),
    ],
)
def test_how_a_case_ends(ingest, fields, expected):
    case = ingest("case", a_case(**fields))
    assert (case.status, case.outcome, case.stage) == expected


def test_a_case_in_kuwaiti_dinars(ingest):
    case = ingest("case", a_case("5300022222", claimAmount=amount("12.345", "KWD")))
    assert case.amount.to_dict() == {"value": "12.345", "currency": "KWD"}


# -- payment disputes ---------------------------------------------------------------------------


def test_a_payment_dispute_needing_a_response(ingest):
    body = a_dispute(
        evidenceRequests=[
            {
                "evidenceId": "e-1",
                "evidenceType": "PROOF_OF_DELIVERY",
                "respondByDate": "2026-03-12T10:00:00.000Z",
            }
        ],
        buyerProvided={"note": "I never authorised this."},
    )
    case = ingest("payment_dispute", body)
    assert (case.kind, case.stage, case.status, case.category) == (
        "chargeback",
        "chargeback",
        "needs_response",
        "fraud",
    )
    assert str(case.amount) == "129.50 GBP"
    assert merchant_due(case) == utc("2026-03-12T10:00:00Z")  # the evidence request comes first
    assert case.extra["revision"] == 2
    assert case.extra["available_choices"] == ["CONTEST", "ACCEPT"]
    assert case.messages[0].body == "I never authorised this."


def test_dispute_snapshots_are_ordered_by_revision_too(ingest, runtime):
    lost = a_dispute(
        status="CLOSED",
        revision=5,
        sellerResponse="CONTEST",
        resolution={"reasonForClosure": "SELLER_LOST"},
        evidence=[
            {
                "evidenceId": "ev-1",
                "evidenceType": "PROOF_OF_DELIVERY",
                "providedDate": "2026-03-08T10:00:00.000Z",
                "files": [{"fileId": "f-9", "name": "pod.png", "fileType": "PNG"}],
            }
        ],
    )
    at = "2026-03-20T10:00:00Z"
    ingest("payment_dispute", lost, at=at)
    case = ingest("payment_dispute", a_dispute(), at=at)  # an older revision, same moment
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert [(e.external_id, e.party, e.kind) for e in case.evidence] == [
        ("ev-1:f-9", "merchant", "proof_of_delivery")
    ]


@pytest.mark.parametrize(
    ("status", "closure", "expected"),
    [
        ("OPEN", None, ("under_review", None)),
        ("CLOSED", "SELLER_ACCEPT", ("resolved", "buyer_favor")),
        ("CLOSED", "SELLER_WON", ("resolved", "merchant_favor")),
    ],
)
def test_dispute_statuses(ingest, status, closure, expected):
    body = a_dispute(status=status)
    if closure:
        body["resolution"] = {"reasonForClosure": closure}
    case = ingest("payment_dispute", body)
    assert (case.status, case.outcome) == expected


def test_a_dispute_reason_ebay_adds_later_is_other(ingest):
    case = ingest("payment_dispute", a_dispute(reason="QUANTUM_ENTANGLEMENT"))
    assert (case.category, case.platform_reason) == ("other", "QUANTUM_ENTANGLEMENT")


def test_a_return_escalated_after_a_decline_goes_back_to_ebay_then_ends(ingest):
    declined = a_return("5000066666", state="RETURN_REJECTED", sellerResponseDue=None)
    assert ingest("return", declined, at="2026-03-03T10:00:00Z").outcome == "merchant_favor"
    escalated = a_return(
        "5000066666",
        state="RETURN_REJECTED",
        status="ESCALATED",
        sellerResponseDue=None,
        escalationInfo={"caseId": "5300012121"},
    )
    case = ingest("return", escalated, at="2026-03-05T10:00:00Z")
    assert (case.status, case.outcome) == ("under_review", None)
    assert "reopened" in kinds(case)
    decided = a_return(
        "5000066666",
        state="CLOSED",
        sellerResponseDue=None,
        escalationInfo={"caseId": "5300012121"},
    )
    decided["detail"]["closeInfo"] = {"returnCloseReason": "REFUND_TIMEOUT"}
    case = ingest("return", decided, at="2026-03-20T10:00:00Z")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
