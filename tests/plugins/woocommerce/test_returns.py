"""Return cases: the WPSwings plugin's meta as its versions write it, and orders that close a
return without saying they had one (update-only snapshots).

Fixtures: ``wpswings_4_5_order.json`` and ``mwb_rma_order.json`` (see fixtures/README.md:
copied from wpswings/woo-refund-and-exchange-lite at commit 38c76d7f, v4.5.2, and b36b978).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disputeflow import Money
from disputeflow.engine.processing import RetryPolicy, process_deliveries
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES
from disputeflow.plugins.woocommerce.returns import request_time, return_snapshot
from disputeflow.plugins.woocommerce.samples import return_request_meta
from tests.plugins.woocommerce.conftest import (
    case_count,
    deliver,
    deliver_and_process,
    fixture,
    load_case,
    order,
)

USD = "USD"


def snap(payload):
    return return_snapshot(payload, DEFAULT_RETURN_STATUSES)


def test_a_wpswings_4_5_request_is_read_from_its_unix_time_key():
    snapshot = snap(fixture("wpswings_4_5_order.json"))
    assert snapshot is not None
    assert not snapshot.update_only
    assert (snapshot.status, snapshot.category) == ("needs_response", "damaged")
    assert snapshot.platform_reason == "Product Damaged"
    assert snapshot.opened_at == datetime(2017, 3, 23, 10, tzinfo=UTC)  # key 1490263200
    assert snapshot.amount == Money("3", USD)  # price 3 x qty "1" + shipping_price 0
    assert [m.body for m in snapshot.messages] == ["The handle of one mug arrived cracked."]
    assert snapshot.messages[0].external_id == "727:return:1490263200"
    assert snapshot.extra["return_items"] == [
        {"item_id": "315", "product_id": "93", "variation_id": "0", "qty": "1"}
    ]
    assert snapshot.extra["payment_method"] == "bacs"


def test_an_old_mwb_request_keyed_by_the_store_date_format_still_reads():
    snapshot = snap(fixture("mwb_rma_order.json"))
    assert snapshot is not None
    assert (snapshot.status, snapshot.category) == ("needs_response", "wrong_item")
    assert snapshot.opened_at == datetime(2017, 3, 23, tzinfo=UTC)  # "March 23, 2017"
    assert snapshot.amount == Money("12", USD)
    assert snapshot.platform_reason == "Wrong item delivered"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("1490263200", datetime(2017, 3, 23, 10, tzinfo=UTC)),
        ("23-03-2017", datetime(2017, 3, 23, tzinfo=UTC)),
        ("March 23, 2017", datetime(2017, 3, 23, tzinfo=UTC)),
        ("2017-03-23", datetime(2017, 3, 23, tzinfo=UTC)),
        ("23.03.2017", datetime(2017, 3, 23, tzinfo=UTC)),
        ("someday", None),
    ],
)
def test_request_keys_of_every_version(key, expected):
    assert request_time(key) == expected


def test_the_latest_request_wins_across_key_styles():
    meta = return_request_meta(subject="Old", date="21-03-2017")
    meta[0]["value"]["1490263200"] = {"subject": "New", "status": "pending"}
    snapshot = snap(order(status="return-requested", meta_data=meta))
    assert snapshot.platform_reason == "New"


@pytest.mark.parametrize(
    ("status", "refunds", "expected"),
    [
        ("return-approved", [], ("awaiting_buyer", None)),  # approved: goods on their way back
        ("processing", [], ("resolved", "withdrawn")),  # approved, then the order moved on
        ("completed", [{"id": 1, "reason": "", "total": "-10.00"}], ("resolved", "partial")),
        ("refunded", [{"id": 1, "reason": "", "total": "-29.35"}], ("resolved", "buyer_favor")),
    ],
)
def test_complete_means_approved_and_only_a_refund_resolves_for_the_buyer(
    status, refunds, expected
):
    meta = return_request_meta(status="complete", amount="29.35")
    snapshot = snap(order(status=status, meta_data=meta, refunds=refunds))
    assert (snapshot.status, snapshot.outcome) == expected
    assert not snapshot.update_only


@pytest.mark.parametrize(
    ("status", "refunds", "expected"),
    [
        ("refunded", [{"id": 1, "reason": "", "total": "-29.35"}], ("resolved", "buyer_favor")),
        ("cancelled", [], ("resolved", "withdrawn")),
        ("completed", [], ("resolved", "withdrawn")),
        ("processing", [{"id": 1, "reason": "", "total": "-5.00"}], ("resolved", "partial")),
    ],
)
def test_orders_that_may_close_a_return_are_update_only(status, refunds, expected):
    snapshot = snap(order(status=status, refunds=refunds))
    assert snapshot.update_only
    assert (snapshot.status, snapshot.outcome) == expected
    # says nothing about a request: the case keeps its reason, amount and buyer
    assert (snapshot.category, snapshot.amount, snapshot.buyer, snapshot.opened_at) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("status", ["on-hold", "pending", "failed"])
def test_orders_in_other_states_close_nothing(status):
    assert snap(order(status=status)) is None


def test_return_requested_then_refunded_resolves_for_the_buyer(client, runtime, connection):
    """A returns extension that marks returns by order status only: the refunded order no
    longer says it had a return, yet the return case resolves."""
    deliver_and_process(client, runtime, connection, order(status="return-requested"))
    refunds = [{"id": 730, "reason": "Return received", "total": "-29.35"}]
    refunded = order(status="refunded", refunds=refunds, date_modified_gmt="2017-03-25T10:00:00")
    deliver_and_process(client, runtime, connection, refunded)
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.refunded == Money("29.35", USD)
    assert case.amount == Money("29.35", USD)  # kept from the request


def test_return_requested_then_cancelled_is_withdrawn(client, runtime, connection):
    deliver_and_process(client, runtime, connection, order(status="return-requested"))
    cancelled = order(status="cancelled", date_modified_gmt="2017-03-25T10:00:00")
    deliver_and_process(client, runtime, connection, cancelled)
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "withdrawn")


def test_a_refunded_order_without_a_return_case_is_dropped_and_counted(client, runtime, connection):
    refunds = [{"id": 730, "reason": "", "total": "-29.35"}]
    response = deliver(client, connection, order(status="refunded", refunds=refunds))
    assert response.status_code == 200
    report = process_deliveries(runtime, policy=RetryPolicy(max_attempts=1, backoff_seconds=(0,)))
    assert (report.processed, report.failed, report.dropped) == (1, 0, 1)
    assert case_count(runtime) == 0


def test_a_new_order_makes_no_update_only_snapshot(client, runtime, connection):
    response = deliver(client, connection, order(status="completed"), topic="order.created")
    assert response.status_code == 200
    report = process_deliveries(runtime, policy=RetryPolicy(max_attempts=1, backoff_seconds=(0,)))
    assert (report.processed, report.dropped) == (1, 0)
