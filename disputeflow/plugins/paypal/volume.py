"""Successful PayPal payments per day, for the dispute-ratio monitor and analytics
(``disputeflow_order_volume``).

PayPal's Transaction Search API lists an account's transactions
(``GET /v1/reporting/transactions``, ``start_date``/``end_date`` at most 31 days apart,
``transaction_status=S`` for completed ones, ``page_size`` up to 500, ``page`` from 1,
``total_pages`` in the answer; transactions appear up to three hours late;
https://developer.paypal.com/docs/api/transaction-search/v1/ and paypal-rest-api-specifications
``reporting_transactions_v1.json``, checked 2026-12-04). A payment received is a ``T00nn``
event code ("PayPal account-to-PayPal account payment",
https://developer.paypal.com/docs/transaction-search/transaction-event-codes/) with a positive
amount (the same codes are debits, negative, when the account pays). The app needs the
Transaction Search permission.

Counts are kept per connection and UTC day once the day is over by more than PayPal's three
hours, so a page that shows a month asks PayPal about the days it has not counted yet, in
windows of at most 31 days; a range that does not start and end at midnight is counted as
it is, without the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from disputeflow import MarketplaceError
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.plugins.paypal.api import PaypalApi

SEARCH_PATH = "/v1/reporting/transactions"
WINDOW = timedelta(days=31)
LATE = timedelta(hours=3)
MAX_PAGES = 400
DAY = timedelta(days=1)


def is_payment(item: Any) -> bool:
    """A completed payment received: ``T00nn`` with a positive amount."""
    info = item.get("transaction_info") if isinstance(item, Mapping) else None
    if not isinstance(info, Mapping) or not str(info.get("transaction_event_code", "")).startswith(
        "T00"
    ):
        return False
    if info.get("transaction_status") not in (None, "S"):
        return False
    amount = info.get("transaction_amount")
    try:
        return isinstance(amount, Mapping) and Decimal(str(amount.get("value"))) > 0
    except InvalidOperation:
        return False


def _payment_days(api: PaypalApi, start: datetime, end: datetime) -> Iterator[date]:
    """The UTC day of each payment in ``[start, end)`` (at most 31 days)."""
    params = {
        "start_date": to_rfc3339(start),
        "end_date": to_rfc3339(end - timedelta(seconds=1)),
        "transaction_status": "S",
        "fields": "transaction_info",
        "page_size": "500",
    }
    for page_number in range(1, MAX_PAGES + 1):
        page = api.get(SEARCH_PATH, {**params, "page": str(page_number)}) or {}
        for item in page.get("transaction_details") or ():
            if is_payment(item):
                yield parse_rfc3339(item["transaction_info"]["transaction_initiation_date"]).date()
        if page_number >= int(page.get("total_pages") or 1):
            return
    raise MarketplaceError(f"PayPal's transaction search has more than {MAX_PAGES} pages")


def count_range(api: PaypalApi, start: datetime, end: datetime) -> dict[date, int]:
    """Payments per UTC day in ``[start, end)``, asked in windows of at most 31 days."""
    counts: dict[date, int] = {}
    cursor = start
    while cursor < end:
        stop = min(cursor + WINDOW, end)
        for day in _payment_days(api, cursor, stop):
            counts[day] = counts.get(day, 0) + 1
        cursor = stop
    return counts


def _midnight(moment: datetime) -> bool:
    return moment.timetz().replace(tzinfo=None) == time(0)


class PaymentVolume:
    """Day counts kept per connection (one process, all threads)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._days: dict[tuple[str, date], int] = {}
        self._lock = threading.Lock()

    def count(self, api: PaypalApi, connection_id: str, start: datetime, end: datetime) -> int:
        """Successful payments in ``[start, end)``."""
        if not (_midnight(start) and _midnight(end)):
            return sum(count_range(api, start, end).values())
        days = [start.date() + DAY * n for n in range((end - start) // DAY)]
        with self._lock:
            missing = [d for d in days if (connection_id, d) not in self._days]
        counted: dict[date, int] = {}
        if missing:
            first = datetime.combine(missing[0], time(0), start.tzinfo)
            last = datetime.combine(missing[-1], time(0), start.tzinfo) + DAY
            counted = count_range(api, first, last)
            self._keep(connection_id, missing, counted)
        with self._lock:
            return sum(self._days.get((connection_id, d), counted.get(d, 0)) for d in days)

    def _keep(self, connection_id: str, days: list[date], counted: dict[date, int]) -> None:
        settled = self.clock() - LATE
        with self._lock:
            for day in days:
                if datetime.combine(day + DAY, time(0), settled.tzinfo) <= settled:
                    self._days[(connection_id, day)] = counted.get(day, 0)
