"""Calendar periods in UTC: months and ISO weeks (Monday first), for analytics and ratios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from disputeflow.core.clock import ensure_utc
from disputeflow.core.errors import InvalidInputError


def month_start(moment: datetime) -> datetime:
    """Midnight UTC on the first day of ``moment``'s month."""
    moment = ensure_utc(moment)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    """The first moment of the month after ``start``'s."""
    start = month_start(start)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def months_between(since: datetime, until: datetime) -> list[datetime]:
    """The start of every month overlapping ``[since, until)``."""
    starts, start = [], month_start(since)
    while start < until:
        starts.append(start)
        start = next_month(start)
    return starts


def months_back(moment: datetime, months: int) -> datetime:
    """The first moment of the month ``months - 1`` months before ``moment``'s (so
    ``months`` whole months end with ``moment``'s own)."""
    start = month_start(moment)
    index = start.year * 12 + start.month - 1 - (months - 1)
    return start.replace(year=index // 12, month=index % 12 + 1)


def week_start(moment: datetime) -> datetime:
    """Midnight UTC on the Monday of ``moment``'s ISO week."""
    moment = ensure_utc(moment)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return day - timedelta(days=day.weekday())


def month_label(start: datetime) -> str:
    """``2026-11``."""
    return f"{start:%Y-%m}"


def week_label(start: datetime) -> str:
    """``2026-W45`` (the ISO week)."""
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def parse_month(text: str) -> datetime:
    """``2026-11`` as the first moment of that month (UTC)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInputError(
            f"{text!r} is not a month (YYYY-MM)", errors={"month": ["expected YYYY-MM"]}
        ) from None


def parse_day(text: str, *, field: str = "date") -> datetime:
    """``2026-11-01`` (midnight UTC) or a full RFC 3339 time."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise InvalidInputError(
            f"{field}: {text!r} is not a date (YYYY-MM-DD) or an RFC 3339 time",
            errors={field: ["expected YYYY-MM-DD"]},
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInputError(f"{field}: {text!r} has no time zone", errors={field: ["no zone"]})
    return parsed.astimezone(UTC)


def period_starts(since: datetime, until: datetime, period: str) -> list[datetime]:
    """The start of every week (Monday) or month that overlaps ``[since, until)``."""
    if period == "month":
        return months_between(since, until)
    start, starts = week_start(since), []
    while start < until:
        starts.append(start)
        start += timedelta(days=7)
    return starts


def period_of(moment: datetime, period: str) -> datetime:
    """The start of the week or month ``moment`` falls in."""
    return month_start(moment) if period == "month" else week_start(moment)


def period_end(start: datetime, period: str) -> datetime:
    """The moment after the week or month starting at ``start``."""
    return next_month(start) if period == "month" else start + timedelta(days=7)
