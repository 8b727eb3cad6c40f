"""Time in one form only: aware datetimes in UTC, written as RFC 3339 with ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

from disputeflow.core.errors import InvalidInputError


def utcnow() -> datetime:
    """Now, aware, in UTC, to the microsecond."""
    return datetime.now(UTC)


def ensure_utc(value: datetime, *, field: str = "time") -> datetime:
    """Refuse naive datetimes (their zone is a guess) and convert aware ones to UTC."""
    if value.tzinfo is UTC:  # most are: a merge converts dozens
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{field} must carry a time zone, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def to_rfc3339(value: datetime) -> str:
    """``2026-11-26T06:00:00Z`` (microseconds kept when present)."""
    return ensure_utc(value).isoformat().replace("+00:00", "Z")


def parse_rfc3339(text: str, *, field: str = "time") -> datetime:
    """Parse an RFC 3339 / ISO 8601 time that names its zone (``Z`` or an offset)."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except (AttributeError, ValueError):
        raise InvalidInputError(f"{field}: {text!r} is not an RFC 3339 time") from None
    return ensure_utc(parsed, field=field)
