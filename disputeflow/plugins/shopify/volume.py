"""How many orders a shop took in a period (``disputeflow_order_volume``), for the
dispute-ratio monitor and the analytics' rates.

One Admin GraphQL query (shopify.dev/docs/api/admin-graphql/2026-10/queries/ordersCount and
.../queries/currentAppInstallation, checked 2026-12-04): ``ordersCount`` with a ``query:``
filter on ``created_at`` (search syntax: date values in quotes, shopify.dev/docs/api/usage/
search-syntax) and ``limit: null``, since the count stops at 10,000 by default and then
says ``precision: AT_LEAST``; and the app's granted scopes, because without
``read_all_orders`` Shopify shows an app only the last 60 days of orders (the ``Order``
object's note): an older period would be undercounted, so it is not answered at all.

Answers are kept per connection and period for the UTC day (:class:`DailyVolumes`); the
call is tried once, with a short timeout, since a page waits for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from disputeflow import Connection, DailyVolumes
from disputeflow.core.clock import to_rfc3339
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.marketplace import ShopifyMarketplace

ORDERS_COUNT = """
query DisputeflowOrdersCount($query: String!) {
  ordersCount(query: $query, limit: null) { count precision }
  currentAppInstallation { accessScopes { handle } }
}
"""
ORDER_WINDOW = timedelta(days=60)  # what read_orders alone shows
ALL_ORDERS_SCOPE = "read_all_orders"
TIMEOUT = 5.0  # seconds: a page is waiting

DEMO_ORDERS_A_DAY = 30  # the sample volume of a `disputeflow demo` connection

VOLUMES = DailyVolumes()


def search_query(start: datetime, end: datetime) -> str:
    """Orders created in ``[start, end)``, in Shopify's search syntax."""
    return f"created_at:>='{to_rfc3339(start)}' AND created_at:<'{to_rfc3339(end)}'"


def count_orders(
    client: ShopifyClient, start: datetime, end: datetime, now: datetime
) -> int | None:
    """The exact number of orders created in ``[start, end)``, or ``None`` when Shopify
    cannot say it exactly to this app (raises ``MarketplaceError`` when the call fails)."""
    data = client.graphql(ORDERS_COUNT, {"query": search_query(start, end)})
    found: Any = data.get("ordersCount") or {}
    if found.get("precision") != "EXACT" or not isinstance(found.get("count"), int):
        return None
    if start < now - ORDER_WINDOW and ALL_ORDERS_SCOPE not in _scopes(data):
        return None
    return int(found["count"])


def _scopes(data: dict[str, Any]) -> set[str]:
    installation = data.get("currentAppInstallation") or {}
    scopes = installation.get("accessScopes") or []
    return {str(s.get("handle")) for s in scopes if isinstance(s, dict)}


def order_volume(
    connection: Connection,
    start: datetime,
    end: datetime,
    *,
    market: ShopifyMarketplace | None = None,
) -> int | None:
    """The hook's answer for a Shopify connection: kept for the day, ``None`` without API
    access or on any failure (logged)."""
    market = market or ShopifyMarketplace()
    if connection.demo:
        return DailyVolumes.demo_count(start, end, DEMO_ORDERS_A_DAY)
    if not market.has_api_access(connection):
        return None
    now = market.clock()

    def ask(since: datetime, until: datetime) -> int | None:
        client = market.client(connection, retries=0)
        client.http.timeout = TIMEOUT
        return count_orders(client, since, until, now)

    return VOLUMES.count(connection, start, end, ask)
