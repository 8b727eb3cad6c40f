"""Order volume (``disputeflow_order_volume``): the orders list's ``X-WP-Total``, kept for
the day.

Payloads as WooCommerce documents them (woocommerce/woocommerce-rest-api-docs,
``source/includes/wp-api-v3/_orders.md`` and ``_introduction.md``, checked 2026-12-04): the
list answers an array of orders (here the docs' order 727, ``order_retrieve_response.json``)
and carries the total in ``X-WP-Total`` and ``X-WP-TotalPages``; the error bodies are
WordPress's ``{"code", "message", "data": {"status"}}`` (``error_rest_no_route.json`` from
the docs, the authentication error as ``WC_REST_Authentication`` words it).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import responses
from responses import matchers

from disputeflow import Connection, DailyVolumes
from disputeflow.plugins.woocommerce import plugin, volume
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace
from tests.plugins.woocommerce.conftest import API, KEY, KEY_SECRET, fixture, wc_settings

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
NOVEMBER_QUERY = {
    "after": "2026-10-31T23:59:59",
    "before": "2026-12-01T00:00:00",
    "dates_are_gmt": "true",
    "status": "completed,processing,on-hold,refunded",
    "per_page": "1",
    "_fields": "id",
}


def store(**settings):
    return Connection("con_woo", "woocommerce", "demo", wc_settings(**settings), NOW)


@pytest.fixture
def clock():
    return [NOW]


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch, clock):
    monkeypatch.setattr(volume, "VOLUMES", DailyVolumes(clock=lambda: clock[0]))


@pytest.fixture
def market():
    return WooCommerceMarketplace(sleep=lambda seconds: None, now=lambda: NOW)


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


def listed(api, total, query=NOVEMBER_QUERY):
    api.get(
        f"{API}/orders",
        json=[fixture("order_retrieve_response.json")],
        headers={"X-WP-Total": str(total), "X-WP-TotalPages": str(total)},
        match=[matchers.query_param_matcher(query)],
    )


def test_counts_paid_orders_created_in_the_period(api, market):
    listed(api, 37)
    assert volume.order_volume(market, store(), *NOVEMBER) == 37
    assert api.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_the_period_is_asked_to_the_second_and_kept_for_the_day(api, market, clock):
    start = datetime(2026, 11, 3, 8, 15, 30, 250000, tzinfo=UTC)
    end = datetime(2026, 11, 4, 8, 15, 30, 1, tzinfo=UTC)
    query = {**NOVEMBER_QUERY, "after": "2026-11-03T08:15:29", "before": "2026-11-04T08:15:31"}
    listed(api, 5, query)
    assert volume.order_volume(market, store(), start, end) == 5
    assert volume.order_volume(market, store(), start, end) == 5
    assert len(api.calls) == 1
    clock[0] = NOW + timedelta(days=1)
    assert volume.order_volume(market, store(), start, end) == 5
    assert len(api.calls) == 2, "a new day asks again"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"code": "woocommerce_rest_authentication_error",
               "message": "Consumer secret is invalid.", "data": {"status": 401}}),
        (404, fixture("error_rest_no_route.json")),
        (422, {"code": "unprocessable", "message": "Nope.", "data": {"status": 422}}),
        (429, {"code": "too_many_requests", "message": "Slow down.", "data": {"status": 429}}),
        (500, {"code": "internal_server_error", "message": "Oops.", "data": {"status": 500}}),
    ],
)  # fmt: skip
def test_a_store_error_is_none_and_logged(api, market, caplog, status, body):
    api.get(f"{API}/orders", status=status, json=body)
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volume.order_volume(market, store(), *NOVEMBER) is None
    assert f"HTTP {status}" in caplog.text
    assert KEY not in caplog.text
    assert KEY_SECRET not in caplog.text
    assert len(api.calls) == 1, "tried once: a page is waiting"


def test_an_answer_without_the_total_is_not_a_count(api, market, caplog):
    api.get(f"{API}/orders", json=[fixture("order_retrieve_response.json")])
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volume.order_volume(market, store(), *NOVEMBER) is None
    assert "without X-WP-Total" in caplog.text


def test_no_keys_no_call(api, market):
    assert volume.order_volume(market, store(consumer_key=""), *NOVEMBER) is None
    assert len(api.calls) == 0


def test_the_hook_answers_woocommerce_connections_only(api, monkeypatch, market):
    monkeypatch.setattr(plugin, "MARKETPLACE", market)
    listed(api, 37)
    assert plugin.disputeflow_order_volume(connection=store(), start=NOVEMBER[0],
                                           end=NOVEMBER[1]) == 37  # fmt: skip
    other = Connection("con_x", "shopify", "x", {}, NOW)
    assert plugin.disputeflow_order_volume(connection=other, start=NOVEMBER[0],
                                           end=NOVEMBER[1]) is None  # fmt: skip
