"""Business days: weekends and public holidays per country, counted in a local time zone.

Public holidays come from the maintained ``holidays`` package, which also knows each
country's weekend (Friday and Saturday in some). "Within N business days" follows the
usual legal reading: the day of the event does not count, and the deadline ends with the
last moment of the Nth business day after it, in the calendar's own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from disputeflow.core.clock import ensure_utc
from disputeflow.core.errors import InvalidInputError

SATURDAY_SUNDAY = frozenset({5, 6})  # date.weekday() numbers
MAX_DAYS = 3660  # ten years of business days is more than any deadline needs


@cache
def supported_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes whose public holidays are known."""
    return frozenset(holidays.list_supported_countries())


@cache
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    days = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(days.keys())


@cache
def _weekend(country: str | None) -> frozenset[int]:
    if country is None:
        return SATURDAY_SUNDAY
    weekend = getattr(holidays.country_holidays(country), "weekend", None)
    return frozenset(weekend) if weekend else SATURDAY_SUNDAY


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days are business days: weekends and (with ``country``) public holidays.

    ``timezone`` is the IANA zone the days are counted in, e.g. ``"Europe/Berlin"``.
    """

    country: str | None = None
    subdivision: str | None = None
    timezone: str = "UTC"
    weekend: frozenset[int] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if self.country is not None:
            code = self.country.strip().upper()
            if code not in supported_countries():
                raise InvalidInputError(f"no public-holiday calendar for country {code!r}")
            object.__setattr__(self, "country", code)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"unknown time zone {self.timezone!r}") from None
        if not self.weekend:
            object.__setattr__(self, "weekend", _weekend(self.country))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a public holiday of the calendar's country."""
        if self.country is None:
            return False
        return day in _holidays(self.country, self.subdivision, day.year)

    def is_business_day(self, day: date) -> bool:
        """Neither a weekend day nor a public holiday."""
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def add_business_days(self, day: date, days: int) -> date:
        """The ``days``-th business day after ``day`` (``day`` itself does not count; 0
        answers ``day``)."""
        if not 0 <= days <= MAX_DAYS:
            raise InvalidInputError(f"business days must be between 0 and {MAX_DAYS}, not {days}")
        current = day
        left = days
        while left:
            current += timedelta(days=1)
            if self.is_business_day(current):
                left -= 1
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days lie after ``start`` up to and including ``end``."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            count += self.is_business_day(current)
        return count

    def local_date(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on in the calendar's time zone."""
        return ensure_utc(moment).astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        """The last microsecond of ``day`` in the calendar's time zone, as aware UTC."""
        return datetime.combine(day, time.max, tzinfo=self.zone).astimezone(UTC)

    def start_of_day(self, day: date) -> datetime:
        """Midnight starting ``day`` in the calendar's time zone, as aware UTC."""
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)

    def deadline(self, start: datetime, days: int) -> datetime:
        """The end (local time) of the ``days``-th business day after ``start``, in UTC."""
        return self.end_of_day(self.add_business_days(self.local_date(start), days))
