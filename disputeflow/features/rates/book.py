"""The reference rates a process answers from, and when they are fetched again.

``disputeflow_exchange_rate`` may be called while a case is saved, inside a database
transaction: it answers from :class:`RateBook`'s memory only, never from the network. The
book is filled elsewhere:

* in the worker, by ``disputeflow_housekeeping`` (at most once a ``housekeeping_interval``):
  when its copy is a day old, it fetches the ECB's file (10-second timeout);
* in a web process or a CLI command, by the pages and the report that show converted
  figures, before they compute them (3-second timeout);

and whoever fetches writes the file under the installation's home
(``cache/ecb-eurofxref-daily.xml``), so another process on the machine loads that copy
instead of asking the ECB again. When the ECB cannot be reached, the last rates are kept
and used (their date is shown beside every figure converted with them), a warning is
logged, and the ECB is not asked again for :data:`RETRY_AFTER`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from disputeflow.core.clock import utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.features.rates import ecb
from disputeflow.features.rates.ecb import ReferenceRates

log = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
RETRY_AFTER = timedelta(minutes=15)
SAVED = Path("cache") / "ecb-eurofxref-daily.xml"
Fetch = Callable[..., bytes]


class RateBook:
    """The process's reference rates, when they were fetched, and when to try again."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        fetch: Fetch = ecb.fetch,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self._clock = clock
        self._fetch = fetch
        self._max_age = max_age
        self._lock = threading.Lock()
        self._rates: ReferenceRates | None = None
        self._fetched_at: datetime | None = None
        self._next_try: datetime | None = None

    @property
    def rates(self) -> ReferenceRates | None:
        """The rates in memory (possibly stale), or ``None`` before any were had."""
        return self._rates

    def rate(self, base: str, quote: str) -> Decimal | None:
        """From memory only: safe inside a transaction."""
        rates = self._rates
        return rates.rate(base, quote) if rates is not None else None

    def refresh(self, home: Path | None, *, timeout: float) -> ReferenceRates | None:
        """Make sure the rates are at most a day old: the saved copy if it is, else the
        ECB's file; on failure keep what there is (stale) and say so."""
        now = self._clock()
        with self._lock:
            if self._fetched_at is not None and now - self._fetched_at < self._max_age:
                return self._rates
            if self._load_saved(home, now, fresh_only=True):
                return self._rates
            if self._next_try is not None and now < self._next_try:
                return self._rates
            self._next_try = now + RETRY_AFTER
        try:
            body = self._fetch(timeout=timeout)
            rates = ecb.parse(body)
        except DisputeflowError as error:
            return self._keep_stale(home, now, error)
        with self._lock:
            self._rates, self._fetched_at, self._next_try = rates, now, None
        _save(home, body, now)
        log.info("ECB reference rates of %s loaded", rates.day)
        return rates

    def _keep_stale(
        self, home: Path | None, now: datetime, error: DisputeflowError
    ) -> ReferenceRates | None:
        with self._lock:
            if self._rates is None:
                self._load_saved(home, now, fresh_only=False)
            rates = self._rates
        if rates is None:
            log.warning("ECB reference rates unavailable (%s): amounts stay unconverted", error)
        else:
            log.warning(
                "ECB reference rates unavailable (%s): still using those of %s", error, rates.day
            )
        return rates

    def _load_saved(self, home: Path | None, now: datetime, *, fresh_only: bool) -> bool:
        """Take the copy another process saved (caller holds the lock)."""
        path = home / SAVED if home is not None else None
        if path is None or not path.is_file():
            return False
        saved_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if fresh_only and now - saved_at >= self._max_age:
            return False
        try:
            rates = ecb.parse(path.read_bytes())
        except DisputeflowError:
            return False
        if self._rates is not None and rates.day < self._rates.day:
            return False
        self._rates, self._fetched_at = rates, saved_at
        return True

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._rates = self._fetched_at = self._next_try = None


def _save(home: Path | None, body: bytes, fetched_at: datetime) -> None:
    """Write the file for the other processes, dated when it was fetched (atomically; a
    failure only costs them a fetch)."""
    if home is None:
        return
    path = home / SAVED
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(body)
        os.utime(partial, (fetched_at.timestamp(), fetched_at.timestamp()))
        os.replace(partial, path)
    except OSError as error:
        log.warning("could not keep the ECB reference rates at %s: %s", path, error)
