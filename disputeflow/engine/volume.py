"""Order counts for ``disputeflow_order_volume``, asked of a platform at most once a day
(``from disputeflow import DailyVolumes``: part of the plugin API).

The dispute-ratio page and the analytics ask a plugin for the same periods on every page
view, and each question is a platform call. :class:`DailyVolumes` keeps each answer in the
process's memory until the UTC date changes (the cache is per process: each web worker,
the CLI and the worker ask once a day each), turns any failure into ``None`` (logged, never
raised into the page) and, after a failure, stops asking about that connection for a few
minutes so a platform that is down does not slow every page down with it.

A period that reaches into today (the month so far, ending *now*) is kept under "today":
it is counted once a day, up to the moment it was first asked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from disputeflow.core.clock import ensure_utc, utcnow
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.marketplace import Connection

log = logging.getLogger(__name__)

PAUSE_AFTER_FAILURE = timedelta(minutes=10)
Key = tuple[str, datetime, datetime]


class DailyVolumes:
    """Answers of one plugin, by connection and period, for the current UTC day."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        pause: timedelta = PAUSE_AFTER_FAILURE,
    ) -> None:
        self._clock = clock
        self._pause = pause
        self._lock = threading.Lock()
        self._day: date | None = None
        self._counts: dict[Key, int] = {}
        self._paused: dict[str, datetime] = {}

    def count(
        self,
        connection: Connection,
        start: datetime,
        end: datetime,
        ask: Callable[[datetime, datetime], int | None],
    ) -> int | None:
        """The orders of ``connection`` in ``[start, end)``: kept, or ``ask(start, end)``
        once today. ``ask`` may raise: the error is logged and the answer is ``None``."""
        now = ensure_utc(self._clock())
        start, end = ensure_utc(start), ensure_utc(end)
        tomorrow = _midnight_after(now)
        key = (connection.id, start, end if end <= tomorrow - timedelta(days=1) else tomorrow)
        with self._lock:
            if self._day != now.date():
                self._day, self._counts, self._paused = now.date(), {}, {}
            if key in self._counts:
                return self._counts[key]
            if self._paused.get(connection.id, now) > now:
                return None
        found = self._ask(connection, start, end, ask, now)
        if found is not None:
            with self._lock:
                self._counts[key] = found
        return found

    def _ask(
        self,
        connection: Connection,
        start: datetime,
        end: datetime,
        ask: Callable[[datetime, datetime], int | None],
        now: datetime,
    ) -> int | None:
        try:
            found = ask(start, end)
        except DisputeflowError as error:  # the platform's words, never a secret
            log.warning(
                "order volume of %s connection %s unknown: %s",
                connection.platform, connection.id, error.message,
            )  # fmt: skip
        except Exception:  # a bug in the plugin: the page must still render
            log.exception(
                "order volume of %s connection %s failed", connection.platform, connection.id
            )
        else:
            return int(found) if found is not None else None
        with self._lock:
            self._paused[connection.id] = now + self._pause
        return None

    @staticmethod
    def demo_count(start: datetime, end: datetime, per_day: int) -> int:
        """A demo connection's sample volume: ``per_day`` orders a day over ``[start, end)``
        (a demo store has no platform to ask; the demo's cases are samples too)."""
        return round((ensure_utc(end) - ensure_utc(start)) / timedelta(days=1) * per_day)

    def clear(self) -> None:
        """Forget every answer (tests; a connection whose settings changed)."""
        with self._lock:
            self._day, self._counts, self._paused = None, {}, {}


def _midnight_after(moment: datetime) -> datetime:
    """The start of the next UTC day."""
    return datetime.combine(moment.date() + timedelta(days=1), time(), tzinfo=UTC)
