"""Business days: properties across weekends, year ends and time zones, and known holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disputeflow.core.errors import InvalidInputError
from disputeflow.engine.calendar import BusinessCalendar

CALENDARS = [
    BusinessCalendar(),
    BusinessCalendar("DE", timezone="Europe/Berlin"),
    BusinessCalendar("US", timezone="America/New_York"),
    BusinessCalendar("JP", timezone="Asia/Tokyo"),
    BusinessCalendar("CN", timezone="Asia/Shanghai"),
    BusinessCalendar("BR", timezone="America/Sao_Paulo"),
    BusinessCalendar("AU", timezone="Australia/Sydney"),
]
calendars = st.sampled_from(CALENDARS)
# Around year ends most of the time: the holidays of two years meet there.
days = st.one_of(
    st.dates(min_value=date(2024, 12, 15), max_value=date(2025, 1, 15)),
    st.dates(min_value=date(2026, 12, 15), max_value=date(2027, 1, 15)),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
counts = st.integers(min_value=0, max_value=30)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, day=days, n=counts)
def test_adding_business_days_lands_on_a_business_day_n_business_days_later(calendar, day, n):
    end = calendar.add_business_days(day, n)
    assert calendar.business_days_between(day, end) == n
    if n == 0:
        assert end == day
    else:
        assert end > day
        assert calendar.is_business_day(end)
        assert end.weekday() not in calendar.weekend
        assert not calendar.is_holiday(end)
        # nothing between counts more: the day before the end is one business day short
        assert calendar.business_days_between(day, end - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, day=days, a=counts, b=counts)
def test_adding_is_additive(calendar, day, a, b):
    assert calendar.add_business_days(day, a + b) == calendar.add_business_days(
        calendar.add_business_days(day, a), b
    )


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, first=days, second=days, n=counts)
def test_adding_is_monotonic(calendar, first, second, n):
    early, late = sorted((first, second))
    assert calendar.add_business_days(early, n) <= calendar.add_business_days(late, n)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, moment=moments, n=st.integers(min_value=1, max_value=20))
def test_a_deadline_ends_a_local_business_day_and_is_utc(calendar, moment, n):
    due = calendar.deadline(moment, n)
    assert due.tzinfo is not None
    assert due.utcoffset() == timedelta(0)
    local = due.astimezone(ZoneInfo(calendar.timezone))
    assert local.time() == time.max  # the last microsecond of the local day
    assert calendar.is_business_day(local.date())
    start_day = moment.astimezone(ZoneInfo(calendar.timezone)).date()
    assert calendar.business_days_between(start_day, local.date()) == n
    assert due > moment


@settings(max_examples=100, deadline=None)
@given(moment=moments, n=st.integers(min_value=1, max_value=10))
def test_the_local_day_decides_not_the_utc_day(moment, n):
    """Tokyo is ahead of UTC and New York behind: the same instant may be two local days,
    and each calendar counts from its own."""
    tokyo = BusinessCalendar(timezone="Asia/Tokyo")
    new_york = BusinessCalendar(timezone="America/New_York")
    for calendar in (tokyo, new_york):
        local_start = calendar.local_date(moment)
        expected = calendar.add_business_days(local_start, n)
        assert calendar.local_date(calendar.deadline(moment, n)) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        # Germany: 25 and 26 December are holidays, 24 December is not
        (BusinessCalendar("DE"), date(2026, 12, 23), 3, date(2026, 12, 29)),
        # Germany: New Year's Day, then a weekend
        (BusinessCalendar("DE"), date(2026, 12, 31), 1, date(2027, 1, 4)),
        # United States: Independence Day 2025 is a Friday
        (BusinessCalendar("US"), date(2025, 7, 3), 1, date(2025, 7, 7)),
        # Japan: Golden Week 2026 (29 April, 3 to 6 May)
        (BusinessCalendar("JP"), date(2026, 5, 1), 1, date(2026, 5, 7)),
        # China: National Day week 2026 starts on 1 October
        (BusinessCalendar("CN"), date(2026, 9, 30), 1, date(2026, 10, 2) + timedelta(days=6)),
        # no country: weekends only
        (BusinessCalendar(), date(2026, 12, 24), 1, date(2026, 12, 25)),
    ],
)
def test_known_holidays(calendar, start, n, expected):
    assert calendar.add_business_days(start, n) == expected


def test_a_friday_evening_in_berlin_is_due_at_the_end_of_monday():
    calendar = BusinessCalendar("DE", timezone="Europe/Berlin")
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    assert calendar.deadline(friday_evening, 1) == datetime(
        2026, 11, 30, 22, 59, 59, 999999, tzinfo=UTC
    )


def test_a_late_utc_moment_is_already_the_next_day_in_tokyo():
    calendar = BusinessCalendar("JP", timezone="Asia/Tokyo")
    thursday_utc = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)  # Friday 01:00 in Tokyo
    assert calendar.local_date(thursday_utc) == date(2026, 11, 27)
    assert calendar.deadline(thursday_utc, 1).astimezone(ZoneInfo("Asia/Tokyo")).date() == date(
        2026, 11, 30
    )


def test_start_of_day_is_local_midnight():
    calendar = BusinessCalendar(timezone="Europe/Berlin")
    assert calendar.start_of_day(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"country": "XX"}, "no public-holiday calendar for country 'XX'"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_bad_calendar_is_refused(arguments, message):
    with pytest.raises(InvalidInputError, match=message):
        BusinessCalendar(**arguments)


def test_negative_or_huge_counts_are_refused():
    calendar = BusinessCalendar()
    with pytest.raises(InvalidInputError):
        calendar.add_business_days(date(2026, 1, 1), -1)
    with pytest.raises(InvalidInputError):
        calendar.add_business_days(date(2026, 1, 1), 100_000)


def test_country_weekends_come_from_the_holiday_data():
    assert BusinessCalendar("DE").weekend == frozenset({5, 6})
    # Saudi Arabia rests on Friday and Saturday
    assert BusinessCalendar("SA").weekend == frozenset({4, 5})
    assert BusinessCalendar("SA").is_business_day(date(2026, 11, 29))  # a Sunday
