"""Order volume (``disputeflow_order_volume``): ``getOrders``' ``total``, kept for the day.

eBay publishes field lists, not sample bodies (see ``fixtures/README.md``): the answer
below is built from the ``OrderSearchPagedCollection`` fields of
developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrders (``href``,
``limit``, ``next``, ``offset``, ``orders``, ``total``; checked 2026-12-04), the filter
from its ``creationdate`` examples (``creationdate:[2016-02-21T08:25:43.511Z..
2016-04-21T08:25:43.511Z]``, both ends inclusive), the errors in the ErrorDetailV3 shape
the plugin's other tests use.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from disputeflow import Connection, DailyVolumes
from disputeflow.plugins.ebay import plugin, volume
from tests.plugins.ebay.conftest import SETTINGS, Clock

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
ORDERS = "sell/fulfillment/v1/order"


def seller(**settings):
    return Connection("con_ebay", "ebay", "de-shop", {**SETTINGS, **settings}, NOW)


def collection(total):
    href = (
        "https://api.ebay.com/sell/fulfillment/v1/order?filter=creationdate:%5B2026-11-01T00:00:"
        "00.000Z..2026-11-30T23:59:59.999Z%5D&limit=1&offset=0"
    )
    return {"href": href, "limit": 1, "offset": 0, "orders": [], "total": total}


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch, clock):
    monkeypatch.setattr(volume, "VOLUMES", DailyVolumes(clock=clock))
    plugin.volume_market.cache_clear()
    yield
    plugin.volume_market.cache_clear()


def test_counts_the_orders_created_in_the_period(mocked, ebay):
    mocked.get(ORDERS, collection(212))
    assert volume.order_volume(ebay, seller(), *NOVEMBER) == 212
    [call] = mocked.calls(ORDERS)
    assert "creationdate%3A%5B2026-11-01T00%3A00%3A00.000Z..2026-11-30T23%3A59%3A59.999Z%5D" in (
        call.request.url
    ), "the brackets percent-encoded, the end inclusive to the millisecond"
    query = parse_qs(urlsplit(call.request.url).query)
    assert query == {
        "filter": ["creationdate:[2026-11-01T00:00:00.000Z..2026-11-30T23:59:59.999Z]"],
        "limit": ["1"],
    }
    assert call.request.headers["Authorization"] == "Bearer user-1"
    assert call.request.headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"


def test_kept_for_the_day(mocked, ebay, clock):
    mocked.get(ORDERS, collection(212))
    assert volume.order_volume(ebay, seller(), *NOVEMBER) == 212
    assert volume.order_volume(ebay, seller(), *NOVEMBER) == 212
    assert len(mocked.calls(ORDERS)) == 1
    clock.advance(days=1)
    assert volume.order_volume(ebay, seller(), *NOVEMBER) == 212
    assert len(mocked.calls(ORDERS)) == 2


def test_older_than_two_years_is_not_asked(mocked, ebay):
    old = (datetime(2024, 11, 1, tzinfo=UTC), datetime(2024, 12, 1, tzinfo=UTC))
    assert volume.order_volume(ebay, seller(), *old) is None
    assert volume.order_volume(ebay, seller(refresh_token=""), *NOVEMBER) is None
    assert mocked.calls(ORDERS) == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"errors": [{"errorId": 1001, "message": "Invalid access token"}]}),
        (404, {"errors": [{"errorId": 1, "message": "not found"}]}),
        (422, {"errors": [{"errorId": 30500, "message": "Invalid filter name"}]}),
        (429, {"errors": [{"errorId": 2001, "message": "Too many requests"}]}),
        (500, {"errors": [{"errorId": 2001, "message": "System error"}]}),
    ],
)
def test_an_error_is_none_and_logged(mocked, ebay, caplog, status, body):
    mocked.get(ORDERS, body, status=status)
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volume.order_volume(ebay, seller(), *NOVEMBER) is None
    assert f"HTTP {status}" in caplog.text
    assert SETTINGS["client_secret"] not in caplog.text
    assert "user-" not in caplog.text, "no token in the log"
    tries = 2 if status == 401 else 1  # a 401 drops the token and tries once more
    assert len(mocked.calls(ORDERS)) == tries


def test_an_answer_without_a_total_is_not_a_count(mocked, ebay, caplog):
    mocked.get(ORDERS, {"href": "x", "orders": []})
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volume.order_volume(ebay, seller(), *NOVEMBER) is None
    assert "without a total" in caplog.text


def test_the_hook_answers_ebay_connections_only(mocked, ebay, monkeypatch):
    monkeypatch.setattr(plugin, "make_marketplace", lambda: ebay)
    mocked.get(ORDERS, collection(7))
    now = datetime.now(UTC)
    week = (now - timedelta(days=7), now)
    assert plugin.disputeflow_order_volume(connection=seller(), start=week[0], end=week[1]) == 7
    other = Connection("con_x", "shopify", "x", {}, NOW)
    assert plugin.disputeflow_order_volume(connection=other, start=week[0], end=week[1]) is None
