"""How many orders a store took in a period (``disputeflow_order_volume``), for the
dispute-ratio monitor and the analytics' rates.

WooCommerce's order totals report (``GET /reports/orders/totals``) counts every order ever
placed, per status, with no date filter, so it cannot answer a period. The orders list can:
``GET /orders`` with ``after``/``before`` (ISO 8601; ``dates_are_gmt=true`` compares them
with ``date_created_gmt``), ``per_page=1`` and ``_fields=id``, and the total of the whole
result is in the ``X-WP-Total`` header (WooCommerce REST API docs, "List all orders" and
"Pagination", woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders, checked
2026-12-04). WordPress's date query compares ``after`` and ``before`` strictly, to the
second, so ``[start, end)`` is asked as after ``start - 1 s``, before ``end``.

Counted: orders in the statuses WooCommerce's own sales reports count, ``completed``,
``processing``, ``on-hold`` (WooPayments puts a disputed order on hold) and ``refunded``:
orders that were paid. ``pending``, ``failed`` and ``cancelled`` orders took no payment. A
status is sent as one comma-separated value (WordPress reads ``status[]=a&status[]=b``
too, but PHP keeps only the last of repeated plain ``status=`` keys).

Answers are kept per connection and period for the UTC day (:class:`DailyVolumes`); the
call is tried once, with a short timeout, since a page waits for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from disputeflow import Connection, DailyVolumes, MarketplaceError
from disputeflow.core.clock import ensure_utc
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.marketplace import WooCommerceMarketplace
from disputeflow.plugins.woocommerce.settings import has_keys

PAID_STATUSES = ("completed", "processing", "on-hold", "refunded")
TIMEOUT = 5.0  # seconds: a page is waiting
SECOND = timedelta(seconds=1)

DEMO_ORDERS_A_DAY = 20  # the sample volume of a `disputeflow demo` connection

VOLUMES = DailyVolumes()


def _wp_time(moment: datetime) -> str:
    """``2026-11-01T00:00:00``: GMT, to the second, without an offset (``dates_are_gmt``)."""
    return ensure_utc(moment).strftime("%Y-%m-%dT%H:%M:%S")


def query(start: datetime, end: datetime) -> dict[str, str]:
    """The list's parameters for paid orders created in ``[start, end)``."""
    first = ensure_utc(start).replace(microsecond=0)
    last = ensure_utc(end)
    bound = last.replace(microsecond=0) + (SECOND if last.microsecond else timedelta())
    return {
        "after": _wp_time(first - SECOND),
        "before": _wp_time(bound),
        "dates_are_gmt": "true",
        "status": ",".join(PAID_STATUSES),
        "per_page": "1",
        "_fields": "id",
    }


def count_orders(client: WooClient, start: datetime, end: datetime) -> int:
    """Paid orders created in ``[start, end)`` (raises ``MarketplaceError`` on failure)."""
    response = client.get("orders", query(start, end))
    total = (response.headers.get("X-WP-Total") or "").strip()
    if not (total.isascii() and total.isdigit()):
        raise MarketplaceError("WooCommerce answered the orders list without X-WP-Total")
    return int(total)


def order_volume(
    market: WooCommerceMarketplace, connection: Connection, start: datetime, end: datetime
) -> int | None:
    """The hook's answer for a WooCommerce connection: kept for the day, ``None`` without
    API keys or on any failure (logged)."""
    if connection.demo:
        return DailyVolumes.demo_count(start, end, DEMO_ORDERS_A_DAY)
    if not has_keys(connection.settings):
        return None

    def ask(since: datetime, until: datetime) -> int:
        client = market.client(connection)
        client.reads.retries, client.reads.timeout = 0, TIMEOUT
        return count_orders(client, since, until)

    return VOLUMES.count(connection, start, end, ask)
