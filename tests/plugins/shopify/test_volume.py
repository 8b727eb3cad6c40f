"""Order volume (``disputeflow_order_volume``): Shopify's ``ordersCount``, kept for the day.

Payloads, as Shopify documents them (checked 2026-12-04):

- ``ordersCount``: the "Retrieve an order count" example of
  shopify.dev/docs/api/admin-graphql/latest/queries/ordersCount, whose response is
  ``{"ordersCount": {"count": 58, "precision": "EXACT"}}`` (the ``data`` of the answer);
  ``AT_LEAST`` is the other value of shopify.dev/docs/api/admin-graphql/2026-10/enums/
  CountPrecision ("A limit was imposed and reached").
- ``currentAppInstallation.accessScopes``: the first entries of the example response of
  shopify.dev/docs/api/admin-graphql/2024-10/queries/currentappinstallation.
- the 401 body: Shopify's REST error for a bad token, as in ``test_client.py``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import responses

from disputeflow import Connection, DailyVolumes
from disputeflow.plugins.shopify import plugin, volume
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace
from tests.plugins.shopify.conftest import GRAPHQL, SECRET, SHOP, TOKEN

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
JUNE = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
SCOPES_WITH_ALL_ORDERS = [
    {"handle": "read_all_orders"},
    {"handle": "read_all_subscription_contracts"},
    {"handle": "read_analytics_overviews"},
]
SCOPES_WITHOUT = [{"handle": "read_orders"}, {"handle": "write_orders"}]


def answer(count=58, precision="EXACT", scopes=SCOPES_WITH_ALL_ORDERS):
    return {
        "data": {
            "ordersCount": {"count": count, "precision": precision},
            "currentAppInstallation": {"accessScopes": scopes},
        }
    }


def shop(**settings):
    base = {"shop_domain": SHOP, "client_secret": SECRET, "access_token": TOKEN}
    return Connection(
        id="con_shop", platform="shopify", name="acme", settings={**base, **settings},
        created_at=NOW - timedelta(days=400),
    )  # fmt: skip


@pytest.fixture
def clock():
    return [NOW]


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch, clock):
    monkeypatch.setattr(volume, "VOLUMES", DailyVolumes(clock=lambda: clock[0]))


@pytest.fixture
def market(clock):
    return ShopifyMarketplace(sleep=lambda seconds: None, clock=lambda: clock[0])


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


def sent(api, index=0):
    return json.loads(api.calls[index].request.body)


def test_counts_the_orders_created_in_the_period(api, market):
    api.post(GRAPHQL, json=answer(58))
    assert volume.order_volume(shop(), *NOVEMBER, market=market) == 58
    body = sent(api)
    assert "ordersCount(query: $query, limit: null)" in body["query"], "no 10,000 cap"
    assert body["variables"] == {
        "query": "created_at:>='2026-11-01T00:00:00Z' AND created_at:<'2026-12-01T00:00:00Z'"
    }
    assert api.calls[0].request.headers["X-Shopify-Access-Token"] == TOKEN


def test_an_answer_is_kept_for_the_day_and_asked_again_the_next(api, market, clock):
    api.post(GRAPHQL, json=answer(58))
    assert volume.order_volume(shop(), *NOVEMBER, market=market) == 58
    assert volume.order_volume(shop(), *NOVEMBER, market=market) == 58
    assert len(api.calls) == 1, "the same period is asked once a day"
    clock[0] = NOW + timedelta(days=1)
    api.replace(responses.POST, GRAPHQL, json=answer(61))
    assert volume.order_volume(shop(), *NOVEMBER, market=market) == 61
    assert len(api.calls) == 2


def test_the_month_so_far_is_counted_once_a_day(api, market, clock):
    api.post(GRAPHQL, json=answer(12))
    month = datetime(2026, 12, 1, tzinfo=UTC)
    assert volume.order_volume(shop(), month, NOW, market=market) == 12
    later = NOW + timedelta(hours=3)
    clock[0] = later
    assert volume.order_volume(shop(), month, later, market=market) == 12
    assert len(api.calls) == 1, "a period ending today is kept under today"


def test_a_count_shopify_capped_is_not_a_count(api, market):
    api.post(GRAPHQL, json=answer(10000, "AT_LEAST"))
    assert volume.order_volume(shop(), *NOVEMBER, market=market) is None


def test_orders_older_than_60_days_need_read_all_orders(api, market):
    api.post(GRAPHQL, json=answer(40, scopes=SCOPES_WITHOUT))
    assert volume.order_volume(shop(), *JUNE, market=market) is None, "would undercount"
    assert volume.order_volume(shop(), *NOVEMBER, market=market) == 40, "within 60 days"
    volume.VOLUMES.clear()
    api.replace(responses.POST, GRAPHQL, json=answer(40))
    assert volume.order_volume(shop(), *JUNE, market=market) == 40


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"errors": "[API] Invalid API key or access token "
                         "(unrecognized login or wrong password)"}),
        (404, {"errors": "Not Found"}),
        (422, {"errors": "Unprocessable Entity"}),
        (429, {"errors": "Exceeded 2 calls per second for api client."}),
        (503, {"errors": "Service Unavailable"}),
    ],
)  # fmt: skip
def test_a_platform_error_is_none_and_logged(api, market, caplog, status, body):
    api.post(GRAPHQL, status=status, json=body)
    with caplog.at_level(logging.WARNING, logger="disputeflow.engine.volume"):
        assert volume.order_volume(shop(), *NOVEMBER, market=market) is None
    assert f"HTTP {status}" in caplog.text
    assert TOKEN not in caplog.text
    assert len(api.calls) == 1, "tried once: a page is waiting"
    assert volume.order_volume(shop(), *JUNE, market=market) is None
    assert len(api.calls) == 1, "a failing shop is left alone for a while"


def test_no_token_no_call(api, market):
    connection = shop()
    settings = {k: v for k, v in connection.settings.items() if k != "access_token"}
    bare = Connection(connection.id, "shopify", "acme", settings, connection.created_at)
    assert volume.order_volume(bare, *NOVEMBER, market=market) is None
    assert len(api.calls) == 0


def test_the_hook_answers_shopify_connections_only(api):
    api.post(GRAPHQL, json=answer(58))
    now = datetime.now(UTC)
    start = now - timedelta(days=7)
    assert plugin.disputeflow_order_volume(connection=shop(), start=start, end=now) == 58
    other = Connection("con_other", "woocommerce", "other", {}, NOW)
    assert plugin.disputeflow_order_volume(connection=other, start=start, end=now) is None
    assert len(api.calls) == 1
