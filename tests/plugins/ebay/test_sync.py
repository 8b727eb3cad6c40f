"""Polling, eBay's main feed: four searches paged through, changed objects read in full, the
cursor remembering what was seen; token refresh, 401, 429 and 5xx along the way."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from functools import partial
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import responses
from sqlalchemy import func, select

from disputeflow import InvalidInputError, MarketplaceError
from disputeflow.engine.store.tables import CaseSnapshotRow
from disputeflow.engine.sync import sync_connection
from disputeflow.plugins.ebay import sync as ebay_sync
from tests.plugins.ebay.conftest import API, START, load_case
from tests.plugins.ebay.payloads import (
    a_cancellation,
    a_case,
    a_dispute,
    a_return,
    amount,
    an_inquiry,
    summary_of,
    to_json,
)

BIG = 5312345678901234567


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Pages of two, so that paging is exercised with a handful of objects."""
    feeds = tuple(dataclasses.replace(feed, limit=2) for feed in ebay_sync.FEEDS)
    monkeypatch.setattr(ebay_sync, "FEEDS", feeds)


class EbayObjects:
    """eBay's searches and object reads, answered from ``store`` (tests change it between
    syncs); ``reads`` counts full reads per object, ``failures`` queues answers to give
    before the normal one."""

    SEARCHES: ClassVar[dict[str, tuple[str, str]]] = {
        "return": ("post-order/v2/return/search", "members"),
        "inquiry": ("post-order/v2/inquiry/search", "members"),
        "case": ("post-order/v2/casemanagement/search", "members"),
        "cancellation": ("post-order/v2/cancellation/search", "cancellations"),
        "payment_dispute": (
            "sell/fulfillment/v1/payment_dispute_summary",
            "paymentDisputeSummaries",
        ),
    }
    READS: ClassVar[dict[str, str]] = {
        "return": "post-order/v2/return",
        "inquiry": "post-order/v2/inquiry",
        "case": "post-order/v2/casemanagement",
        "cancellation": "post-order/v2/cancellation",
        "payment_dispute": "sell/fulfillment/v1/payment_dispute",
    }

    def __init__(self, mocked):
        self.store = {kind: {} for kind in self.SEARCHES}
        self.reads = Counter()
        self.searches = []
        self.failures = {}
        for kind, (path, key) in self.SEARCHES.items():
            mocked.mock.add_callback(
                responses.GET, f"{API}/{path}", callback=partial(self._search, kind, key)
            )
            pattern = re.compile(rf"{API}/{self.READS[kind]}/(?!search)([^/?]+)$")
            mocked.mock.add_callback(responses.GET, pattern, callback=partial(self._read, kind))

    def add(self, kind, obj):
        self.store[kind][_id(kind, obj)] = obj

    def _failure(self, key):
        queued = self.failures.get(key) or []
        return queued.pop(0) if queued else None

    def _search(self, kind, key, request):
        self.searches.append(request)
        if failure := self._failure(kind):
            return failure
        query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
        offset, limit = int(query["offset"]), int(query["limit"])
        members = [summary_of(obj) for obj in self.store[kind].values()]
        body = {
            key: members[offset : offset + limit],
            "total": len(members),
            "paginationOutput": {"offset": offset, "limit": limit, "totalEntries": len(members)},
        }
        return 200, {}, to_json(body)

    def _read(self, kind, request):
        object_id = unquote(urlparse(request.url).path.rsplit("/", 1)[1])
        self.reads[(kind, object_id)] += 1
        if failure := self._failure((kind, object_id)):
            return failure
        if object_id not in self.store[kind]:
            return 404, {}, json.dumps({"errors": [{"errorId": 1, "message": "not found"}]})
        return 200, {}, to_json(self.store[kind][object_id])


def _id(kind, obj):
    field = {
        "return": "returnId",
        "inquiry": "inquiryId",
        "case": "caseId",
        "cancellation": "cancelId",
        "payment_dispute": "paymentDisputeId",
    }[kind]
    return str((obj.get("summary") or obj.get("cancelDetail") or obj)[field])


@pytest.fixture
def ebay_objects(mocked):
    """Three returns (two pages), an inquiry, a case with a 64-bit id, a cancellation, a
    payment dispute."""
    objects = EbayObjects(mocked)
    for obj in (a_return("6001"), a_return("6002", state="ITEM_SHIPPED"), a_return("6003")):
        objects.add("return", obj)
    objects.add("inquiry", an_inquiry("6101"))
    objects.add("case", a_case(BIG))
    objects.add("cancellation", a_cancellation("6201"))
    objects.add("payment_dispute", a_dispute("6301"))
    return objects


def searched(objects, fragment):
    return [r for r in objects.searches if fragment in r.url]


def snapshot_rows(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(CaseSnapshotRow))


def test_first_sync_reads_every_feed_page_by_page(runtime, shop, mocked, ebay_objects):
    report = sync_connection(runtime, shop["id"], now=START)
    assert (report.created, report.failed) == (7, 0)
    assert report.pages == 7  # returns 2 pages; inquiries, cases, cancellations, disputes 1
    assert set(ebay_objects.reads.values()) == {1}
    assert len(ebay_objects.reads) == 7
    cancellation = load_case(runtime, "cancellation", "6201")
    assert (cancellation.kind, cancellation.status) == ("return", "needs_response")
    assert str(cancellation.amount) == "59.00 EUR"
    assert load_case(runtime, "return", "6002").status == "awaiting_buyer"
    assert load_case(runtime, "inquiry", "6101").kind == "inquiry"
    assert load_case(runtime, "case", str(BIG)).kind == "claim"
    assert load_case(runtime, "payment_dispute", "6301").kind == "chargeback"

    first, second = searched(ebay_objects, "return/search")
    query = parse_qs(urlparse(first.url).query)
    assert query["creation_date_range_from"] == ["2025-12-10T12:00:00.000Z"]  # 90 days back
    assert query["creation_date_range_to"] == ["2026-03-10T12:00:00.000Z"]
    assert (query["limit"], query["offset"]) == (["2"], ["0"])
    assert parse_qs(urlparse(second.url).query)["offset"] == ["2"]
    assert first.headers["Authorization"] == "IAF user-1"
    (disputes,) = searched(ebay_objects, "payment_dispute_summary")
    assert disputes.headers["Authorization"] == "Bearer user-1"
    assert disputes.headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"
    assert "open_date_from=2025-12-10T12%3A00%3A00.000Z" in disputes.url
    assert mocked.user_tokens == 1  # one refresh for the whole sync


def test_the_next_sync_reads_only_what_changed(runtime, shop, mocked, ebay_objects, clock):
    sync_connection(runtime, shop["id"], now=START)
    rows = snapshot_rows(runtime)
    ebay_objects.add("return", a_return("6003", state="ITEM_SHIPPED", sellerResponseDue=None))
    clock.advance(hours=3)  # the access token expired meanwhile

    report = sync_connection(runtime, shop["id"], now=clock.now)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert ebay_objects.reads[("return", "6003")] == 2
    assert ebay_objects.reads[("return", "6001")] == 1
    assert snapshot_rows(runtime) == rows + 1
    assert load_case(runtime, "return", "6003").status == "awaiting_buyer"
    assert mocked.user_tokens == 2


def test_cursor_forms():
    seen = {"return": {"1": "abc"}}
    assert ebay_sync.decode_cursor(ebay_sync.encode_cursor(seen)) == (seen, None)
    since = ebay_sync.decode_cursor("2026-01-01T00:00:00Z")[1]
    assert since.isoformat() == "2026-01-01T00:00:00+00:00"
    with pytest.raises(InvalidInputError, match="damaged"):
        ebay_sync.decode_cursor("v1.not-base64!")
    with pytest.raises(InvalidInputError, match="neither"):
        ebay_sync.decode_cursor("yesterday")


def test_since_a_date_starts_the_window_there(runtime, shop, mocked, ebay_objects):
    sync_connection(runtime, shop["id"], since="2026-02-01T00:00:00Z", now=START)
    (call,) = searched(ebay_objects, "inquiry/search")
    assert "inquiry_creation_date_range_from=2026-02-01T00%3A00%3A00.000Z" in call.url


def test_429_is_retried_after_the_time_ebay_asks(runtime, shop, mocked, ebay_objects, sleeps):
    throttled = (429, {"Retry-After": "3"}, json.dumps({"errors": []}))
    ebay_objects.failures["inquiry"] = [throttled]
    report = sync_connection(runtime, shop["id"], now=START)
    assert report.created == 7
    assert sleeps == [3.0]
    assert len(searched(ebay_objects, "inquiry/search")) == 2


def test_a_5xx_that_persists_stops_the_sync_and_keeps_the_cursor(
    runtime, shop, mocked, ebay_objects, sleeps
):
    down = (500, {}, json.dumps({"errors": [{"errorId": 2001, "message": "System error"}]}))
    ebay_objects.failures["inquiry"] = [down] * 3
    with pytest.raises(MarketplaceError, match="System error") as info:
        sync_connection(runtime, shop["id"], now=START)
    assert info.value.transient
    assert info.value.platform_status == 500
    assert len(sleeps) == 2
    assert load_case(runtime, "return", "6003") is not None  # pages before it are kept
    assert load_case(runtime, "inquiry", "6101") is None
    sync_connection(runtime, shop["id"], now=START)  # the next sync resumes after the returns
    assert ebay_objects.reads[("return", "6001")] == 1
    assert load_case(runtime, "inquiry", "6101") is not None


def test_an_object_that_vanished_is_skipped(runtime, shop, mocked, ebay_objects):
    gone = (404, {}, json.dumps({"errors": [{"message": "gone"}]}))
    ebay_objects.failures[("inquiry", "6101")] = [gone]
    report = sync_connection(runtime, shop["id"], now=START)
    assert report.created == 6
    assert load_case(runtime, "inquiry", "6101") is None


def test_a_connection_not_yet_authorised_says_how_to_authorise(runtime, mocked):
    bare = runtime.add_connection(
        "ebay",
        "fresh",
        {"marketplace_id": "EBAY_US", "client_id": "a", "client_secret": "b", "api_base_url": API},
    )
    with pytest.raises(MarketplaceError, match=f"/install/ebay/{bare['id']}"):
        sync_connection(runtime, bare["id"], now=START)


def test_a_refused_refresh_token_names_ebays_reason(runtime, shop, mocked):
    mocked.mock.remove(responses.POST, f"{API}/identity/v1/oauth2/token")
    mocked.mock.post(
        f"{API}/identity/v1/oauth2/token",
        status=400,
        json={
            "error": "invalid_grant",
            "error_description": "the provided authorization refresh token is invalid",
        },
    )
    with pytest.raises(MarketplaceError, match="invalid_grant") as info:
        sync_connection(runtime, shop["id"], now=START)
    assert info.value.transient is False


def closed_return(return_id, reason, currency="EUR", value="39.90"):
    body = a_return(
        return_id,
        state="CLOSED",
        sellerResponseDue=None,
        sellerTotalRefund={"estimatedRefundAmount": amount(value, currency)},
    )
    body["detail"]["closeInfo"] = {"returnCloseReason": reason}
    return body


POLLED = [
    (
        "return",
        closed_return("6501", "REQUEST_DECLINED"),
        ("return", "resolved", "merchant_favor", "defective", "39.90 EUR"),
    ),
    (
        "return",
        closed_return("6502", "FULL_REFUNDED", "CHF", "45.5"),
        ("return", "resolved", "buyer_favor", "defective", "45.50 CHF"),
    ),
    (
        "inquiry",
        an_inquiry("6601", status="CLOSED", state="PARTIAL_REFUND_ACCEPTED"),
        ("inquiry", "resolved", "partial", "not_received", "24.99 USD"),
    ),
    (
        "case",
        a_case("6701", status="CLOSED", sellerClosureReason="SELLER_WINS_BUYER_FAULT"),
        ("claim", "resolved", "merchant_favor", "not_received", "4800 JPY"),
    ),
    (
        "case",
        a_case(
            "6702",
            status="CLOSED",
            claimAmount=amount("12.345", "KWD"),
            buyerClosureReason="BUYER_WINS_SELLER_FAULT",
        ),
        ("claim", "resolved", "buyer_favor", "not_received", "12.345 KWD"),
    ),
    (
        "payment_dispute",
        a_dispute("6801", status="CLOSED", resolution={"reasonForClosure": "SELLER_WON"}),
        ("chargeback", "resolved", "merchant_favor", "fraud", "129.50 GBP"),
    ),
    (
        "payment_dispute",
        a_dispute(
            "6802",
            status="CLOSED",
            reason="ITEM_NOT_RECEIVED",
            resolution={"reasonForClosure": "SELLER_LOST"},
        ),
        ("chargeback", "resolved", "buyer_favor", "not_received", "129.50 GBP"),
    ),
    (
        "payment_dispute",
        a_dispute(
            "6803",
            status="OPEN",
            reason="SIGNIFICANTLY_NOT_AS_DESCRIBED",
            amount={"value": "15000", "currency": "JPY"},
        ),
        ("chargeback", "under_review", None, "not_as_described", "15000 JPY"),
    ),
    (
        "payment_dispute",
        a_dispute("6804", status="IN_LIMBO", reason="MOON_PHASE"),
        ("chargeback", "needs_response", None, "other", "129.50 GBP"),
    ),
]


def test_polling_brings_every_outcome_and_currency(runtime, shop, mocked):
    objects = EbayObjects(mocked)
    for kind, obj, _ in POLLED:
        objects.add(kind, obj)
    report = sync_connection(runtime, shop["id"], now=START)
    assert (report.created, report.failed) == (len(POLLED), 0)
    for kind, obj, expected in POLLED:
        case = load_case(runtime, kind, _id(kind, obj))
        seen = (case.kind, case.status, case.outcome, case.category, str(case.amount))
        assert seen == expected, (kind, _id(kind, obj))
    odd = load_case(runtime, "payment_dispute", "6804")
    assert (odd.platform_status, odd.platform_reason) == ("IN_LIMBO", "MOON_PHASE")
