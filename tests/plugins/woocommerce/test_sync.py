"""Polling through the common sync: orders modified since the cursor, page by page, then
WooPayments disputes."""

from __future__ import annotations

import json

import pytest
from responses import matchers

from disputeflow import MarketplaceError, Money
from disputeflow.engine.sync import sync_connection
from disputeflow.plugins.woocommerce.sync import parse_cursor
from tests.plugins.woocommerce.conftest import API, fixture, load_case, order, return_order
from tests.plugins.woocommerce.test_disputes import dispute

ORDER_QUERY = {"dates_are_gmt": "true", "orderby": "modified", "order": "asc", "per_page": "100"}
RECENT = 1_790_000_000  # 2026-09-21: inside the dispute window of the fixed clock (2026-11-10)


def serve_orders(api, pages, since):
    for number, orders in enumerate(pages, start=1):
        query = {**ORDER_QUERY, "modified_after": since, "page": str(number)}
        api.get(
            f"{API}/orders",
            json=orders,
            match=[matchers.query_param_matcher(query)],
            headers={"X-WP-TotalPages": str(len(pages))},
        )


def recent_listing(*statuses):
    listing = fixture("wcpay_disputes_list_response.json")
    for entry, status in zip(listing["data"], statuses, strict=True):
        entry["status"] = status
        entry["created"] = "2026-09-21 12:26:40"
    return listing


def serve_listing(api, listing):
    query = {"page": "1", "pagesize": "100", "sort": "created", "direction": "desc"}
    api.get(f"{API}/payments/disputes", json=listing, match=[matchers.query_param_matcher(query)])


def test_a_first_sync_reads_recent_orders_page_by_page(runtime, connection, api):
    refunds = [{"id": 801, "reason": "Return received", "total": "-29.35"}]
    pages = [
        [return_order(date_modified_gmt="2026-11-01T10:00:00"), order(id=729, number="729")],
        [
            return_order(
                id=728,
                number="728",
                status="refunded",
                refunds=refunds,
                date_modified_gmt="2026-11-02T10:00:00",
            )
        ],
    ]
    serve_orders(api, pages, since="2026-08-12T12:00:00")
    report = sync_connection(runtime, connection["id"])
    assert (report.pages, report.created, report.failed) == (2, 2, 0)
    assert json.loads(report.cursor) == {"orders": "2026-11-02T10:00:00"}
    assert load_case(runtime, "727", "return").status == "needs_response"
    refunded = load_case(runtime, "728", "return")
    assert (refunded.status, refunded.outcome) == ("resolved", "buyer_favor")
    assert refunded.refunded == Money("29.35", "USD")
    assert load_case(runtime, "729", "return") is None


def test_the_next_sync_starts_at_the_saved_cursor(runtime, connection, api):
    serve_orders(
        api, [[return_order(date_modified_gmt="2026-11-01T10:00:00")]], since="2026-08-12T12:00:00"
    )
    sync_connection(runtime, connection["id"])
    later = return_order(status="return-cancelled", date_modified_gmt="2026-11-03T08:00:00")
    serve_orders(api, [[later]], since="2026-11-01T09:59:59")  # one second of overlap
    report = sync_connection(runtime, connection["id"])
    assert report.updated == 1
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "withdrawn")


def test_since_may_be_a_plain_time(runtime, connection, api):
    serve_orders(api, [[]], since="2026-10-31T23:59:59")
    report = sync_connection(runtime, connection["id"], since="2026-11-01T00:00:00Z")
    assert report.pages == 1
    assert json.loads(report.cursor) == {"orders": "2026-11-01T00:00:00"}


def test_a_failing_page_keeps_the_cursor_of_the_last_good_one(runtime, connection, api):
    api.get(
        f"{API}/orders",
        json=[return_order(date_modified_gmt="2026-11-01T10:00:00")],
        headers={"X-WP-TotalPages": "2"},
        match=[matchers.query_param_matcher({"page": "1"}, strict_match=False)],
    )
    api.get(
        f"{API}/orders",
        status=500,
        json={"code": "internal", "message": "boom", "data": None},
        match=[matchers.query_param_matcher({"page": "2"}, strict_match=False)],
    )
    with pytest.raises(MarketplaceError) as info:
        sync_connection(runtime, connection["id"])
    assert info.value.transient is True
    serve_orders(api, [[]], since="2026-11-01T09:59:59")  # resumes after page 1
    assert sync_connection(runtime, connection["id"]).pages == 1
    assert load_case(runtime, "727", "return") is not None


def test_disputes_are_read_in_full_first_then_only_while_open(runtime, wcpay_connection, api):
    serve_orders(api, [[]], since="2026-08-12T12:00:00")
    serve_listing(api, recent_listing("needs_response", "won"))
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(created=RECENT))
    won = dispute(id="dp_456", status="won", created=RECENT - 5000, order=None, charge="ch_678")
    api.get(f"{API}/payments/disputes/dp_456", json=won)
    first = sync_connection(runtime, wcpay_connection["id"])
    assert first.created == 2
    assert json.loads(first.cursor) == {"orders": None, "open": ["dp_123"]}
    assert load_case(runtime, "dp_123", "dispute").status == "needs_response"
    assert load_case(runtime, "dp_456", "dispute").outcome == "merchant_favor"

    api.reset()
    serve_orders(api, [[]], since="2026-08-12T12:00:00")
    serve_listing(api, recent_listing("lost", "won"))
    lost = dispute(status="lost", created=RECENT, metadata={"__dispute_closed_at": "1792000000"})
    api.get(f"{API}/payments/disputes/dp_123", json=lost)
    second = sync_connection(runtime, wcpay_connection["id"])
    assert second.updated == 1
    assert json.loads(second.cursor)["open"] == []
    assert [c.request.url.rsplit("/", 1)[-1] for c in api.calls][-1] == "dp_123"
    case = load_case(runtime, "dp_123", "dispute")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")


def test_a_dispute_open_last_time_but_out_of_the_list_is_read_directly(
    runtime, wcpay_connection, api
):
    cursor = json.dumps({"orders": "2026-11-01T00:00:00", "open": ["dp_123"]})
    serve_orders(api, [[]], since="2026-10-31T23:59:59")
    serve_listing(api, {"data": []})
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(status="won", created=RECENT))
    report = sync_connection(runtime, wcpay_connection["id"], since=cursor)
    assert report.created == 1
    assert json.loads(report.cursor) == {"orders": "2026-11-01T00:00:00", "open": []}


def test_the_dispute_list_stops_at_the_window(runtime, wcpay_connection, api):
    listing = recent_listing("needs_response", "needs_response")
    listing["data"][1]["created"] = "2026-01-01 00:00:00"  # older than 120 days
    serve_orders(api, [[]], since="2026-08-12T12:00:00")
    serve_listing(api, listing)
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(created=RECENT))
    report = sync_connection(runtime, wcpay_connection["id"])
    assert report.created == 1
    assert json.loads(report.cursor)["open"] == ["dp_123"]


def test_an_unreadable_since_is_refused():
    from disputeflow.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="not a time"):
        parse_cursor("yesterday")
