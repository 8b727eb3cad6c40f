"""The dispute-ratio page shows ratios when the transactions come from the marketplace
plugins' own ``disputeflow_order_volume`` (Shopify's ``ordersCount``, WooCommerce's
``X-WP-Total``, eBay's ``getOrders`` total), each platform's API behind ``responses``.

The platform answers are those of each plugin's ``test_volume.py`` (sources named there).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses

from disputeflow import DailyVolumes
from disputeflow.core.clock import utcnow
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.features.analytics.periods import month_start
from disputeflow.plugins.ebay import plugin as ebay_plugin
from disputeflow.plugins.ebay import volume as ebay_volume
from disputeflow.plugins.shopify import plugin as shopify_plugin
from disputeflow.plugins.shopify import volume as shopify_volume
from disputeflow.plugins.woocommerce import plugin as wc_plugin
from disputeflow.plugins.woocommerce import volume as wc_volume
from tests.builders import snapshot

SHOP = "acme-eu.myshopify.com"
SHOPIFY_GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
STORE = "https://example.com"
EBAY = "http://ebay.test"


@pytest.fixture
def fake_plugins(plugin_manager):
    """The three marketplace plugins, registered as their entry points do."""
    plugin_manager.register(shopify_plugin, name="shopify")
    plugin_manager.register(wc_plugin, name="woocommerce")
    plugin_manager.register(ebay_plugin, name="ebay")
    return plugin_manager


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    for module in (shopify_volume, wc_volume, ebay_volume):
        monkeypatch.setattr(module, "VOLUMES", DailyVolumes())
    ebay_plugin.volume_market.cache_clear()
    yield
    ebay_plugin.volume_market.cache_clear()


@pytest.fixture
def platforms():
    """The three APIs: Shopify counts 50 orders, the store 40, the seller 200."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(SHOPIFY_GRAPHQL, json={"data": {
            "ordersCount": {"count": 50, "precision": "EXACT"},
            "currentAppInstallation": {"accessScopes": [{"handle": "read_all_orders"}]},
        }})  # fmt: skip
        mock.get(f"{STORE}/wp-json/wc/v3/orders", json=[], headers={"X-WP-Total": "40"})
        mock.post(f"{EBAY}/identity/v1/oauth2/token",
                  json={"access_token": "user-1", "expires_in": 7200})  # fmt: skip
        mock.get(f"{EBAY}/sell/fulfillment/v1/order", json={"orders": [], "total": 200})
        yield mock


def connect(runtime):
    """One connection per platform, each with API access; their ids by platform."""
    made = {
        "shopify": runtime.add_connection("shopify", "acme-shopify", {
            "shop_domain": SHOP, "client_secret": "shpss_x", "access_token": "shpat_x"}),
        "woocommerce": runtime.add_connection("woocommerce", "acme-woo", {
            "store_url": STORE, "consumer_key": "ck_" + "a" * 40,
            "consumer_secret": "cs_" + "b" * 40, "webhook_secret": "w"}),
        "ebay": runtime.add_connection("ebay", "acme-ebay", {
            "marketplace_id": "EBAY_DE", "client_id": "Acme-PRD-1", "client_secret": "PRD-x",
            "refresh_token": "v^1.1#r", "verification_token": "t" * 40, "api_base_url": EBAY}),
    }  # fmt: skip
    return {platform: found["id"] for platform, found in made.items()}


def chargebacks(runtime, connection_id, platform, count):
    now = utcnow()
    opened = max(month_start(now), now - timedelta(hours=1))
    for number in range(count):
        made = snapshot(f"{platform}-{number}", platform=platform, observed_at=opened,
                        opened_at=opened)  # fmt: skip
        ingest_snapshot(runtime.database, runtime.plugins, connection_id, made)


def row_of(page, name):
    return page.split(f'<th scope="row">{name}')[1].split("</tr>")[0]


def test_the_ratio_page_divides_by_the_plugins_order_counts(runtime, as_role, platforms):
    ids = connect(runtime)
    for platform, count in (("shopify", 2), ("woocommerce", 1), ("ebay", 3)):
        chargebacks(runtime, ids[platform], platform, count)
    page = as_role("viewer").get("/workspace/ratios").text
    shopify, woo, ebay = (row_of(page, n) for n in ("acme-shopify", "acme-woo", "acme-ebay"))
    assert ">50<" in shopify
    assert ">4%<" in shopify  # 2 / 50
    assert ">40<" in woo
    assert ">2.5%<" in woo  # 1 / 40
    assert ">200<" in ebay
    assert ">1.5%<" in ebay  # 3 / 200
    assert "needs transaction counts" not in page
    asked = [c.request for c in platforms.calls if c.request.url == SHOPIFY_GRAPHQL]
    month = f"created_at:>='{month_start(utcnow()):%Y-%m-%dT%H:%M:%SZ}' AND created_at:<'"
    assert any(json.loads(r.body)["variables"]["query"].startswith(month) for r in asked)

    calls = len(platforms.calls)
    again = as_role("viewer").get("/workspace/ratios").text
    assert ">4%<" in row_of(again, "acme-shopify")
    assert len(platforms.calls) == calls, "each period is asked once a day"


def test_a_platform_that_fails_leaves_its_ratio_unknown_and_the_page_up(runtime, as_role):
    ids = connect(runtime)
    chargebacks(runtime, ids["shopify"], "shopify", 2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(SHOPIFY_GRAPHQL, status=503, json={"errors": "Service Unavailable"})
        mock.get(f"{STORE}/wp-json/wc/v3/orders", status=401, json={
            "code": "woocommerce_rest_authentication_error",
            "message": "Consumer secret is invalid.", "data": {"status": 401}})  # fmt: skip
        mock.post(f"{EBAY}/identity/v1/oauth2/token", status=500, json={"error": "server_error"})
        response = as_role("viewer").get("/workspace/ratios")
    assert response.status_code == 200
    shopify = row_of(response.text, "acme-shopify")
    assert "needs transaction counts" in shopify


def test_demo_connections_show_ratios_from_a_sample_volume_without_calling_out(runtime, as_role):
    from disputeflow.cli.demo import demo_settings

    per_day = {"shopify": 30, "woocommerce": 20, "ebay": 60}
    for platform in per_day:
        market = runtime.plugins.marketplace(platform)
        made = runtime.add_connection(platform, f"demo-{platform}", demo_settings(market),
                                      demo=True)  # fmt: skip
        chargebacks(runtime, made["id"], platform, 1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        page = as_role("viewer").get("/workspace/ratios").text
    assert len(mock.calls) == 0, "a demo store has no platform to ask"
    now = utcnow()
    days = (now - month_start(now)).total_seconds() / 86400
    for platform, orders in per_day.items():
        row = row_of(page, f"demo-{platform}")
        assert f">{round(days * orders)}<" in row, platform
        assert "needs transaction counts" not in row, platform
