"""How many orders a seller took in a period (``disputeflow_order_volume``), for the
dispute-ratio monitor and the analytics' rates.

The Fulfillment API's ``getOrders`` (``GET /sell/fulfillment/v1/order``, developer.ebay.com/
api-docs/sell/fulfillment/resources/order/methods/getOrders, checked 2026-12-04) with
``filter=creationdate:[from..to]`` (ISO 8601 UTC timestamps, both ends inclusive, the
brackets percent-encoded) and ``limit=1``: the answer's ``total`` is the number of orders
the filter matches. ``getOrders`` holds only orders that completed checkout (no
pending-payment purchases) and at most two years old: an older period is not answered.
``[start, end)`` is asked as ``[start..end - 1 ms]``.

Answers are kept per connection and period for the UTC day (:class:`DailyVolumes`); the
call is tried once, with a short timeout, since a page waits for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from disputeflow import Connection, DailyVolumes, MarketplaceError
from disputeflow.core.clock import ensure_utc
from disputeflow.plugins.ebay.api import EbayApi
from disputeflow.plugins.ebay.marketplace import EbayMarketplace

ORDERS_PATH = "fulfillment/v1/order"
OLDEST = timedelta(days=730)  # "getOrders can return orders up to two years old"
TIMEOUT = 5.0  # seconds: a page is waiting

DEMO_ORDERS_A_DAY = 60  # the sample volume of a `disputeflow demo` connection

VOLUMES = DailyVolumes()


def _ebay_time(moment: datetime) -> str:
    """``2026-11-01T00:00:00.000Z``, the form of eBay's own examples."""
    utc = ensure_utc(moment)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def creation_filter(start: datetime, end: datetime) -> str:
    """``creationdate:[start..end - 1 ms]``: orders created in ``[start, end)``."""
    last = ensure_utc(end) - timedelta(milliseconds=1)
    return f"creationdate:[{_ebay_time(ensure_utc(start))}..{_ebay_time(last)}]"


def count_orders(api: EbayApi, start: datetime, end: datetime) -> int:
    """Orders created in ``[start, end)`` (raises ``MarketplaceError`` on failure)."""
    params = {"filter": creation_filter(start, end), "limit": "1"}
    body: Any = api.sell("GET", ORDERS_PATH, params=params).body
    total = body.get("total") if isinstance(body, dict) else None
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise MarketplaceError("eBay answered getOrders without a total")
    return total


def order_volume(
    market: EbayMarketplace, connection: Connection, start: datetime, end: datetime
) -> int | None:
    """The hook's answer for an eBay connection: kept for the day, ``None`` for a period
    older than eBay keeps, without authorisation, or on any failure (logged)."""
    if connection.demo:
        return DailyVolumes.demo_count(start, end, DEMO_ORDERS_A_DAY)
    if not connection.settings.get("refresh_token"):
        return None
    if ensure_utc(start) < market.clock() - OLDEST:
        return None

    def ask(since: datetime, until: datetime) -> int:
        with market.api(connection) as api:
            api.http.retries, api.http.timeout = 0, TIMEOUT
            return count_orders(api, since, until)

    return VOLUMES.count(connection, start, end, ask)
