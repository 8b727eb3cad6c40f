"""Demo samples dated relative to now (issue 21): each sample object's story ends now, in
every date format the platforms use, and the moved deliveries still verify.

The expected dates are worked out by hand from the documented samples (the offsets are
written beside each), not by calling the code under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from disputeflow import redate, samples_dated_at, shift_for
from disputeflow.core.testing import make_connection
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_nothing_moves_outside_the_demo():
    assert shift_for("2026-03-01T10:00:00Z") == timedelta(0)
    payload = {"at": "2026-03-01T10:00:00Z", "n": 1}
    assert redate(payload, shift_for("2026-03-01T10:00:00Z")) is payload


def test_inside_the_demo_the_last_moment_becomes_now():
    with samples_dated_at(NOW):
        assert shift_for("2026-12-03T12:00:00Z") == timedelta(days=1)
        assert shift_for(datetime(2026, 12, 4, 11, 59, 59, 500000, tzinfo=UTC)) == timedelta(0)
    assert shift_for("2026-12-03T12:00:00Z") == timedelta(0)  # the block ended
    with pytest.raises(ValueError, match="aware"), samples_dated_at(datetime(2026, 12, 4)):  # noqa: DTZ001
        pass


def test_every_format_keeps_its_shape():
    day = timedelta(days=1, hours=2)
    moved = redate(
        {
            "z": "2026-03-01T10:00:00Z",
            "ms": {"value": "2026-03-02T09:00:00.000Z"},
            "us": ["2022-01-01T00:00:05.000000Z"],
            "offset": "2021-12-30T19:00:00-05:00",
            "naive": "2026-11-05T10:00:00",
            "date": "2026-02-28",
            "id": "5000012345",
            "text": "returned 2026-03-01T10:00:00Z",
            "amount": 39.9,
            "2026-03-01T10:00:00Z": "keys stay",
        },
        day,
    )
    assert moved == {
        "z": "2026-03-02T12:00:00Z",
        "ms": {"value": "2026-03-03T11:00:00.000Z"},
        "us": ["2022-01-02T02:00:05.000000Z"],
        "offset": "2021-12-31T21:00:00-05:00",
        "naive": "2026-11-06T12:00:00",
        "date": "2026-03-01",
        "id": "5000012345",
        "text": "returned 2026-03-01T10:00:00Z",
        "amount": 39.9,
        "2026-03-01T10:00:00Z": "keys stay",
    }


def samples(marketplace, settings=None):
    connection = make_connection(marketplace, settings or marketplace.example_settings())
    with samples_dated_at(NOW):
        moved = marketplace.sample_deliveries(connection)
    return connection, {sample.name: sample.request for sample in moved}


def test_ebay_objects_end_now_and_still_verify():
    market = EbayMarketplace()
    connection, moved = samples(market)
    inquiry = json.loads(moved["inquiry_opened"].body)["notification"]
    # last message 2026-03-03T15:30:05Z; make-it-right date 2026-03-06T15:30:00Z: 3 days - 5 s
    assert inquiry["eventDate"] == "2026-12-04T12:00:00.000Z"
    assert inquiry["data"]["object"]["sellerMakeItRightByDate"] == {
        "value": "2026-12-07T11:59:55.000Z"
    }
    won = json.loads(moved["payment_dispute_won"].body)["notification"]
    opened = json.loads(moved["payment_dispute_opened"].body)["notification"]
    # the dispute: opened 2026-03-05T10:00:05Z, won 2026-04-20T12:00:05Z (46 days 2 h later)
    assert won["eventDate"] == "2026-12-04T12:00:00.000Z"
    assert opened["data"]["object"]["openDate"] == "2026-10-19T09:59:55.000Z"
    for name, request in moved.items():
        market.verify_delivery(connection, request)  # signed over the moved body
        assert b"2026-03-0" not in request.body, name


def test_shopify_objects_end_now_and_still_verify():
    market = ShopifyMarketplace()
    settings = {"shop_domain": "acme.myshopify.com", "client_secret": "shpss_demo_1"}
    connection, moved = samples(market, settings)
    won = moved["dispute_won"]
    assert won.header("X-Shopify-Triggered-At") == "2026-12-04T12:00:00.000000Z"
    dispute = json.loads(moved["dispute_created"].body)
    # initiated 2021-12-31T19:00:00-05:00, 31 days 15:00:05 before the dispute's last delivery
    assert dispute["initiated_at"] == "2026-11-02T15:59:55-05:00"
    inquiry = json.loads(moved["inquiry_opened"].body)
    assert inquiry["initiated_at"] == "2026-12-04T07:59:55-04:00"  # 5 s before its delivery
    for request in moved.values():
        market.verify_delivery(connection, request)


def test_woocommerce_orders_end_now_with_their_return_dates_and_still_verify():
    market = WooCommerceMarketplace()
    connection, moved = samples(market)
    jpy = json.loads(moved["return_requested_jpy"].body)
    assert jpy["date_modified_gmt"] == "2026-12-04T12:00:00"  # 2026-11-05T10:00:00 + 29 d 2 h
    assert jpy["date_created_gmt"] == "2026-11-30T10:12:00"
    assert list(jpy["meta_data"][0]["value"]) == ["03-12-2026"]  # the store's d-m-Y: +29 days
    requested = json.loads(moved["return_requested"].body)
    # order 7301 ends 2026-11-07T15:30:00 (refunded): +26 d 20 h 30 min = 2,320,200 s
    assert list(requested["meta_data"][0]["value"]) == [str(1_793_869_200 + 2_320_200)]
    assert requested["date_modified_gmt"] == "2026-12-02T06:30:00"
    assert json.loads(moved["return_refunded"].body)["date_modified_gmt"] == "2026-12-04T12:00:00"
    for request in moved.values():
        market.verify_delivery(connection, request)
