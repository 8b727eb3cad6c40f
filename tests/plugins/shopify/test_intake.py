"""Shopify deliveries end to end: signed as Shopify signs, through the HTTP intake, into cases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from disputeflow import Money
from disputeflow.engine.store.tables import CaseRow, DeliveryRow
from tests.plugins.shopify.conftest import (
    OLD_SECRET,
    SHOP,
    deliver,
    fixture,
    load_case,
    make_connection,
    post,
)
from tests.webhooks.conftest import drain

DISPUTE_ID = "285332461850802063"


def dispute(**changes):
    return {**fixture("disputes_create"), **changes}


def count(runtime, table):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_documented_dispute_becomes_a_chargeback(app_client, runtime, connection, api):
    deliver(
        app_client,
        runtime,
        connection,
        "disputes/create",
        fixture("disputes_create"),
        triggered_at="2022-01-01T00:00:05.000000Z",
    )
    case = load_case(runtime, DISPUTE_ID)
    assert (case.kind, case.stage, case.status, case.category) == (
        "chargeback",
        "chargeback",
        "under_review",
        "fraud",
    )
    assert case.outcome is None
    assert case.amount == Money("11.50", "CAD")
    assert (case.platform_reason, case.network_reason_code) == ("fraudulent", "4837")
    assert case.order.external_id == "820982911946154508"
    assert case.opened_at.isoformat() == "2022-01-01T00:00:00+00:00"
    assert [d.due_at.isoformat() for d in case.deadlines] == ["2021-12-31T00:00:00+00:00"]
    assert case.due_at is None  # under review: the bank acts, not the merchant
    assert case.allowed_actions == ["add_note"]
    assert next(e.kind for e in case.timeline) == "opened"


def test_dispute_needing_a_response_then_won(app_client, runtime, connection, api):
    due = "2026-03-20T19:00:00-05:00"
    opened = dispute(status="needs_response", evidence_due_by=due)
    deliver(app_client, runtime, connection, "disputes/create", opened)
    case = load_case(runtime, DISPUTE_ID)
    assert case.status == "needs_response"
    assert case.due_at.isoformat() == "2026-03-21T00:00:00+00:00"
    assert case.allowed_actions == ["contest", "add_note"]
    won = dispute(status="won", evidence_due_by=due, finalized_on="2026-04-01T10:00:00-05:00")
    deliver(
        app_client,
        runtime,
        connection,
        "disputes/update",
        won,
        triggered_at="2026-04-01T15:00:01.000000Z",
    )
    case = load_case(runtime, DISPUTE_ID)
    assert (case.status, case.outcome) == ("resolved", "merchant_favor")
    assert case.due_at is None
    assert case.timeline[-1].kind == "resolved"
    assert case.extra["shopify_dispute"]["finalized_on"] == "2026-04-01T10:00:00-05:00"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("lost", "buyer_favor"),
        ("accepted", "buyer_favor"),
        ("charge_refunded", "buyer_favor"),
        ("prevented", "withdrawn"),
        ("LOST", "buyer_favor"),
    ],
)
def test_resolved_dispute_statuses(app_client, runtime, connection, api, status, outcome):
    deliver(app_client, runtime, connection, "disputes/update", dispute(status=status))
    case = load_case(runtime, DISPUTE_ID)
    assert (case.status, case.outcome, case.platform_status) == ("resolved", outcome, status)


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("fraudulent", "fraud"),
        ("unrecognized", "fraud"),
        ("UNRECOGNIZED", "fraud"),
        ("product_not_received", "not_received"),
        ("product_unacceptable", "not_as_described"),
        ("duplicate", "duplicate_charge"),
        ("credit_not_processed", "credit_not_processed"),
        ("subscription_canceled", "subscription_canceled"),
        ("SUBSCRIPTION_CANCELLED", "subscription_canceled"),
        ("bank_not_process", "processing_error"),
        ("BANK_CANNOT_PROCESS", "processing_error"),
        ("insufficient_funds", "processing_error"),
        ("general", "other"),
        ("a_reason_from_2030", "other"),
    ],
)
def test_dispute_reasons(app_client, runtime, connection, api, reason, category):
    deliver(app_client, runtime, connection, "disputes/create", dispute(reason=reason))
    case = load_case(runtime, DISPUTE_ID)
    assert (case.category, case.platform_reason) == (category, reason)


def test_unknown_status_keeps_the_last_known_one(app_client, runtime, connection, api):
    deliver(app_client, runtime, connection, "disputes/create", dispute(status="needs_response"))
    deliver(
        app_client,
        runtime,
        connection,
        "disputes/update",
        dispute(status="escalated_to_the_moon"),
        triggered_at="2026-03-02T10:00:00Z",
    )
    case = load_case(runtime, DISPUTE_ID)
    assert (case.status, case.platform_status) == ("needs_response", "escalated_to_the_moon")


def test_inquiry_without_deadline_or_order(app_client, runtime, connection, api):
    inquiry = {
        "id": 670893524,
        "type": "inquiry",
        "amount": "11.50",
        "currency": "USD",
        "reason": "fraudulent",
        "status": "needs_response",
        "initiated_at": "2013-05-03T20:00:00-04:00",
        "order_id": None,
        "evidence_due_by": None,
    }
    deliver(app_client, runtime, connection, "disputes/create", inquiry)
    case = load_case(runtime, "670893524")
    assert (case.kind, case.stage, case.status) == ("inquiry", "inquiry", "needs_response")
    assert (case.order, case.network_reason_code, case.deadlines) == (None, None, [])
    assert case.allowed_actions == ["refund", "contest", "add_note"]


def test_missing_optional_fields_and_unknown_type(app_client, runtime, connection, api):
    bare = {"id": 1, "status": "needs_response", "type": "pre_arbitration_2030"}
    deliver(app_client, runtime, connection, "disputes/create", bare)
    case = load_case(runtime, "1")
    assert (case.kind, case.stage, case.category, case.amount) == (
        "chargeback",
        None,
        "other",
        None,
    )
    assert case.extra["shopify_dispute"] == {"type": "pre_arbitration_2030"}


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1500", "JPY", "1500"),
        ("1500.00", "JPY", "1500"),
        ("12.345", "KWD", "12.345"),
        ("0.10", "EUR", "0.10"),
    ],
)
def test_currencies_keep_their_minor_units(
    app_client, runtime, connection, api, amount, currency, expected
):
    deliver(
        app_client,
        runtime,
        connection,
        "disputes/create",
        dispute(amount=amount, currency=currency),
    )
    case = load_case(runtime, DISPUTE_ID)
    assert case.amount.to_dict() == {"value": expected, "currency": currency}


def test_64_bit_ids_stay_exact(app_client, runtime, connection, api):
    big = 9223372036854775807
    deliver(app_client, runtime, connection, "disputes/create", dispute(id=big, order_id=big - 1))
    case = load_case(runtime, str(big))
    assert case.external_id == "9223372036854775807"
    assert case.order.external_id == "9223372036854775806"


def test_a_dispute_and_a_return_with_one_number_stay_two_cases(
    app_client, runtime, connection, api
):
    deliver(app_client, runtime, connection, "disputes/create", dispute(id=42))
    deliver(
        app_client, runtime, connection, "returns/request", {**fixture("returns_request"), "id": 42}
    )
    assert load_case(runtime, "42", "dispute").kind == "chargeback"
    assert load_case(runtime, "42", "return").kind == "return"


def test_unreadable_payload_is_kept_as_failed(app_client, runtime, connection, api):
    response = post(app_client, connection, "disputes/create", b"[1, 2]")
    assert response.status_code == 200
    drain(runtime)
    with runtime.database.session() as session:
        assert session.scalar(select(DeliveryRow.status)) == "dead"  # kept for replay
    assert count(runtime, CaseRow) == 0


def test_other_topics_are_stored_and_ignored(app_client, runtime, connection, api):
    response = post(app_client, connection, "orders/updated", {"id": 1, "email": "a@b.c"})
    assert response.get_json()["status"] == "accepted"
    assert drain(runtime) == (1, 0)
    assert count(runtime, CaseRow) == 0
    assert count(runtime, DeliveryRow) == 1


def test_retried_delivery_is_a_duplicate(app_client, runtime, connection, api):
    first = post(app_client, connection, "disputes/create", dispute(), webhook_id="same-id")
    again = post(app_client, connection, "disputes/create", dispute(), webhook_id="same-id")
    assert again.get_json() == {
        "status": "duplicate",
        "delivery_id": first.get_json()["delivery_id"],
    }


@pytest.mark.parametrize("topic", ["disputes/create", "customers/redact", "shop/redact"])
def test_bad_hmac_is_401_and_nothing_is_stored(app_client, runtime, connection, api, topic):
    response = post(app_client, connection, topic, fixture("shop_redact"), secret="forged")
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_signature"
    assert count(runtime, DeliveryRow) == 0


def test_delivery_for_another_shop_is_401(app_client, runtime, connection, api):
    response = post(
        app_client, connection, "disputes/create", dispute(), shop="someone-else.myshopify.com"
    )
    assert response.status_code == 401
    assert "shop" in response.get_json()["message"]


def test_previous_secret_is_accepted_during_a_rotation(app_client, runtime, api):
    rotating = make_connection(runtime, "rotating", previous_client_secret=OLD_SECRET)
    assert (
        post(app_client, rotating, "disputes/create", dispute(), secret=OLD_SECRET).status_code
        == 200
    )
    plain = make_connection(runtime, "plain", shop_domain="Other-Shop.myshopify.com")
    response = post(
        app_client,
        plain,
        "disputes/create",
        dispute(),
        secret=OLD_SECRET,
        shop="other-shop.myshopify.com",
    )
    assert response.status_code == 401


def test_shop_domain_header_is_case_insensitive(app_client, runtime, connection, api):
    response = post(app_client, connection, "disputes/create", dispute(), shop=SHOP.upper())
    assert response.status_code == 200
