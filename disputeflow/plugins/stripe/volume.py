"""How many successful payments a Stripe account took: the transactions the dispute-ratio
monitor divides chargebacks by (``disputeflow_order_volume``).

Stripe has no count endpoint, so charges are listed (``GET /v1/charges`` with
``created[gte]``/``created[lt]``, 100 a page, ``starting_after``;
https://docs.stripe.com/api/charges/list, checked 2026-12-04) and those whose ``status`` is
``succeeded`` counted, refunded or not (a refund does not undo the transaction the networks
counted). Every payment method counts, not only cards: Stripe's disputes of every method
reach the numerator too, so the ratio stays one of like with like.

Counts are kept per UTC day, in memory: a whole day that has ended is counted once; today so
far is counted again after ``TODAY_TTL``; a period that starts or ends inside another day
counts that part exactly, uncached. Each process (server, worker) keeps its own counts.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from disputeflow.plugins.stripe.client import StripeClient

DAY = timedelta(days=1)
TODAY_TTL = timedelta(minutes=10)
MAX_DAYS = 20_000  # cached days across connections (about 55 years of one account)

CacheKey = tuple[str, datetime]


class VolumeCounter:
    """Successful charges per connection and UTC day, cached as the module says."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self._days: OrderedDict[CacheKey, tuple[int, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def count(
        self, connection_id: str, client: StripeClient, start: datetime, end: datetime
    ) -> int:
        """Successful charges created in ``[start, end)``."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        now = self.now()
        total, cursor = 0, start
        while cursor < end:
            day = cursor.replace(hour=0, minute=0, second=0, microsecond=0)
            stop = min(day + DAY, end)
            whole = cursor == day and stop == day + DAY and day <= now
            so_far = cursor == day and day <= now < day + DAY and stop >= now - TODAY_TTL
            if whole or so_far:
                total += self._day(connection_id, client, day, now)
            else:
                total += count_charges(client, cursor, stop)
            cursor = stop
        return total

    def _day(self, connection_id: str, client: StripeClient, day: datetime, now: datetime) -> int:
        """A whole day (or today so far), from the cache when it is still good."""
        key = (connection_id, day)
        with self._lock:
            cached = self._days.get(key)
        ended = day + DAY <= now
        if cached is not None:
            value, counted_at = cached
            if counted_at >= day + DAY or (not ended and now - counted_at < TODAY_TTL):
                return value
        counted_at = now
        value = count_charges(client, day, min(day + DAY, now) if not ended else day + DAY)
        with self._lock:
            self._days[key] = (value, counted_at)
            self._days.move_to_end(key)
            while len(self._days) > MAX_DAYS:
                self._days.popitem(last=False)
        return value


def count_charges(client: StripeClient, start: datetime, end: datetime) -> int:
    """Succeeded charges created in ``[start, end)`` (Stripe's times are whole seconds)."""
    params = [
        ("created[gte]", str(math.ceil(start.timestamp()))),
        ("created[lt]", str(math.ceil(end.timestamp()))),
    ]
    return sum(
        1
        for page in client.pages("/v1/charges", params)
        for charge in page
        if isinstance(charge, dict) and charge.get("status") == "succeeded"
    )
