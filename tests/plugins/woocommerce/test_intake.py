"""Orders, returns and refunds through the HTTP intake, signed as WooCommerce signs them,
processed by the worker, ending in the expected cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from disputeflow import Money
from disputeflow.engine.processing import process_deliveries
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow
from disputeflow.plugins.woocommerce.samples import return_request_meta
from tests.plugins.woocommerce.conftest import (
    case_count,
    deliver,
    deliver_and_process,
    deliveries,
    load_case,
    order,
    return_order,
)
from tests.webhooks.conftest import drain

USD = "USD"


def refunded_order(refunds, **changes):
    return return_order(refunds=refunds, date_modified_gmt="2017-03-25T10:00:00", **changes)


def kinds(case):
    return [entry.kind for entry in case.timeline]


def test_the_documented_order_is_stored_and_makes_no_case(client, runtime, connection):
    response = deliver(client, connection, order(), topic="order.created")
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert drain(runtime) == (1, 0)
    assert case_count(runtime) == 0
    assert deliveries(runtime) == [("done", "order.created", None)]


def test_a_return_request_opens_a_return_case(client, runtime, connection):
    deliver_and_process(client, runtime, connection, return_order())
    case = load_case(runtime, "727", "return")
    assert (case.kind, case.status, case.outcome) == ("return", "needs_response", None)
    assert case.category == "damaged"
    assert case.platform_reason == "Product arrived damaged"
    assert case.platform_status == "return-requested"
    assert case.amount == Money("29.35", USD)
    assert case.refunded is None
    assert case.order.external_id == "727"
    assert case.order.total == Money("29.35", USD)
    assert case.buyer.country == "US"
    assert case.buyer.email == "john.doe@example.com"
    assert case.opened_at.isoformat() == "2017-03-21T00:00:00+00:00"
    assert [m.body for m in case.messages] == ["The box was crushed and the mug is cracked."]
    assert case.messages[0].party == "buyer"
    assert sorted(kinds(case)) == ["message_added", "opened"]
    assert case.due_at is None  # WooCommerce sets no response window of its own
    allowed = runtime.fill_allowed_actions(case).allowed_actions
    assert allowed == ["refund", "approve_return", "decline_return", "send_message", "add_note"]


def test_a_return_requested_then_refunded_resolves_for_the_buyer(client, runtime, connection):
    deliver_and_process(client, runtime, connection, return_order())
    refunds = [{"id": 730, "reason": "Return received", "total": "-29.35"}]
    deliver_and_process(client, runtime, connection, refunded_order(refunds, status="refunded"))
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.platform_status == "refunded"
    assert case.refunded == Money("29.35", USD)
    assert runtime.fill_allowed_actions(case).allowed_actions == ["add_note"]
    refund_entries = [e for e in case.timeline if e.kind == "refunded"]
    assert any("Return received" in entry.summary for entry in refund_entries)
    resolved = [e for e in case.timeline if e.kind == "resolved"]
    assert len(resolved) == 1
    assert resolved[0].at.isoformat() == "2017-03-25T10:00:00+00:00"


def test_refunds_adding_up_to_the_total_resolve_even_before_the_status_moves(
    client, runtime, connection
):
    deliver_and_process(client, runtime, connection, return_order())
    refunds = [{"id": 733, "reason": "", "total": "-20.00"}, {"id": 734, "total": "-9.35"}]
    deliver_and_process(client, runtime, connection, refunded_order(refunds))
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.platform_status == "return-requested"


def test_partial_refunds_add_up_and_each_is_shown_once(client, runtime, connection):
    deliver_and_process(client, runtime, connection, return_order())
    first = [{"id": 731, "reason": "Shipping refunded", "total": "-10.00"}]
    deliver_and_process(client, runtime, connection, refunded_order(first))
    both = [*first, {"id": 732, "reason": "", "total": "-5.35"}]
    deliver_and_process(client, runtime, connection, refunded_order(both))
    deliver_and_process(client, runtime, connection, refunded_order(both))  # coalesced repeat
    case = load_case(runtime, "727", "return")
    assert case.refunded == Money("15.35", USD)
    assert case.status == "needs_response"  # not fully refunded: the return is still open
    summaries = [e.summary for e in case.timeline if e.kind == "refunded" and "order" in e.summary]
    assert len(summaries) == 2
    assert any("Shipping refunded" in s for s in summaries)


def test_refunds_before_the_return_show_when_it_arrives(client, runtime, connection):
    early = order(refunds=[{"id": 740, "reason": "Goodwill", "total": "-3.00"}])
    deliver_and_process(client, runtime, connection, early)
    assert case_count(runtime) == 0
    later = return_order(refunds=early["refunds"], date_modified_gmt="2017-03-23T08:00:00")
    deliver_and_process(client, runtime, connection, later)
    case = load_case(runtime, "727", "return")
    assert case.refunded == Money("3.00", USD)


@pytest.mark.parametrize(
    ("currency", "total", "refund", "expected_refund"),
    [("JPY", "4800", "-1200", "1200"), ("KWD", "12.345", "-2.005", "2.005")],
)
def test_stores_in_other_currencies_keep_their_minor_units(
    client, runtime, connection, currency, total, refund, expected_refund
):
    meta = return_request_meta(amount=total, date="21-03-2017")
    payload = return_order(currency=currency, total=total, meta_data=meta)
    payload["refunds"] = [{"id": 750, "reason": "", "total": refund}]
    deliver_and_process(client, runtime, connection, payload)
    case = load_case(runtime, "727", "return")
    assert case.amount == Money(total, currency)
    assert case.amount.to_dict() == {"value": total, "currency": currency}
    assert case.refunded == Money(expected_refund, currency)
    assert case.refunded.value == Decimal(expected_refund)


def test_an_unknown_status_keeps_the_last_known_one_and_the_raw_value(client, runtime, connection):
    deliver_and_process(client, runtime, connection, return_order())
    strange = return_order(status="return-escalated", date_modified_gmt="2017-03-24T09:00:00")
    strange["meta_data"][0]["value"]["21-03-2017"]["status"] = "in-limbo"
    deliver_and_process(client, runtime, connection, strange)
    case = load_case(runtime, "727", "return")
    assert case.status == "needs_response"
    assert case.platform_status == "return-escalated"


def test_an_unknown_reason_is_other_with_the_raw_text_kept(client, runtime, connection):
    meta = return_request_meta(subject="Sentimental reasons", reason="", date="21-03-2017")
    deliver_and_process(client, runtime, connection, return_order(meta_data=meta))
    case = load_case(runtime, "727", "return")
    assert case.category == "other"
    assert case.platform_reason == "Sentimental reasons"
    assert case.messages == []


def test_missing_optional_fields_still_make_a_case(client, runtime, connection):
    bare = {
        "id": 727,
        "status": "return-requested",
        "currency": "USD",
        "total": "29.35",
        "date_modified_gmt": "2017-03-22T19:28:08",
    }
    deliver_and_process(client, runtime, connection, bare)
    case = load_case(runtime, "727", "return")
    assert case.status == "needs_response"
    assert case.amount == Money("29.35", USD)
    assert case.category == "other"
    assert case.platform_reason is None
    assert case.buyer.country is None
    assert case.order.name is None
    assert case.order.placed_at is None


def test_a_64_bit_order_id_stays_exact(client, runtime, connection):
    big = 9007199254740993  # 2**53 + 1: a JSON number would lose it
    deliver_and_process(client, runtime, connection, return_order(id=big, number=str(big)))
    case = load_case(runtime, str(big), "return")
    assert case is not None
    assert case.order.external_id == "9007199254740993"


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("order.deleted", {"id": 727}),
        ("product.updated", {"id": 93, "name": "Woo Single #1", "status": "publish"}),
        ("action.woocommerce_low_stock", {"action": "woocommerce_low_stock", "arg": 93}),
    ],
)
def test_other_topics_are_stored_and_make_no_case(client, runtime, connection, topic, payload):
    deliver_and_process(client, runtime, connection, payload, topic=topic)
    assert case_count(runtime) == 0
    assert deliveries(runtime) == [("done", topic, None)]


def test_a_body_that_is_not_json_is_kept_as_failed(client, runtime, connection):
    response = deliver(client, connection, None, body=b"<html>oops</html>")
    assert response.status_code == 200
    assert process_deliveries(runtime).failed == 1
    [(status, _, error)] = deliveries(runtime)
    assert status == "failed"
    assert "not JSON" in error


def test_a_repeated_delivery_is_a_duplicate(client, runtime, connection):
    first = deliver(client, connection, return_order(), moment=1_700_000_500)
    again = deliver(client, connection, return_order(), moment=1_700_000_500)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json()["status"] == "duplicate"
    assert len(deliveries(runtime)) == 1


def test_two_orders_in_one_second_are_two_deliveries(client, runtime, connection):
    """``wp_hash($webhook_id . time)`` does not name the order: the body tells them apart."""
    deliver(client, connection, return_order(), moment=1_700_000_600)
    second = deliver(client, connection, return_order(id=728, number="728"), moment=1_700_000_600)
    assert second.get_json()["status"] == "accepted"
    drain(runtime)
    assert case_count(runtime) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secret": "not-the-secret"}, "does not match"),
        ({"store_url": "https://another-store.example"}, "not this connection's store"),
    ],
)
def test_forged_deliveries_are_refused_and_counted(client, runtime, connection, options, message):
    response = deliver(client, connection, return_order(), **options)
    assert response.status_code == 401
    assert message in response.get_json()["message"]
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 0
        assert session.get(ConnectionRow, connection["id"]).rejected_deliveries == 1


def test_the_source_may_differ_in_scheme_and_trailing_slash(client, runtime, connection):
    response = deliver(client, connection, return_order(), store_url="http://EXAMPLE.com/")
    assert response.status_code == 200


def test_the_ping_gets_exactly_200_but_never_verifies_the_webhook(client, runtime, connection):
    """``WC_Webhook::deliver_ping`` is an unsigned form post: anyone could send it."""
    response = client.post(
        f"/webhooks/woocommerce/{connection['id']}",
        data=b"webhook_id=142",
        content_type="application/x-www-form-urlencoded",
        headers={"User-Agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8)"},
    )
    assert response.status_code == 200
    assert response.get_data() == b""
    assert deliveries(runtime) == []
    assert case_count(runtime) == 0
    with runtime.database.session() as session:
        assert session.get(ConnectionRow, connection["id"]).webhook_verified_at is None


def test_an_unsigned_post_that_is_not_a_ping_is_refused(client, runtime, connection):
    response = client.post(
        f"/webhooks/woocommerce/{connection['id']}",
        data=b'{"id": 727}',
        content_type="application/json",
    )
    assert response.status_code == 401
    with runtime.database.session() as session:
        assert session.get(ConnectionRow, connection["id"]).webhook_verified_at is None


def test_the_samples_feed_the_demo_through_the_real_intake(client, runtime, connection):
    with runtime.database.session() as session:
        stored = runtime.connection(session.get(ConnectionRow, connection["id"]))
    samples = runtime.plugins.marketplace("woocommerce").sample_deliveries(stored)
    for sample in samples:
        response = client.post(
            f"/webhooks/woocommerce/{connection['id']}",
            data=sample.request.body,
            headers=dict(sample.request.headers),
        )
        assert response.status_code == 200, sample.name
    assert drain(runtime) == (len(samples), 0)
    refunded = load_case(runtime, "7301", "return")
    assert (refunded.status, refunded.outcome) == ("resolved", "buyer_favor")
    assert refunded.buyer.name == "João Silva"
    assert load_case(runtime, "7302", "return").amount == Money("4800", "JPY")
    by_status = load_case(runtime, "7305", "return")  # closed by an update-only snapshot
    assert (by_status.status, by_status.outcome) == ("resolved", "buyer_favor")
    assert case_count(runtime) == 3  # 7303's update-only snapshot found no case: dropped
