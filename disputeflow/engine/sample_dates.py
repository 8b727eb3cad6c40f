"""Sample deliveries dated relative to now, so that what ``disputeflow demo`` sends looks
like today rather than the day the platform's documentation was written.

A plugin's samples are copied from the platform's documentation, dates included: sent as
they are, the demo's first inbox would be months overdue and the analytics' default window
empty. So a plugin moves each sample object's dates before it signs (the signature stays
valid: it covers the moved body):

* :func:`shift_for` says how far: zero normally (tests and the conformance kit see the
  documented dates), and inside :func:`samples_dated_at` (the demo) the distance from the
  moment of an object's last sample delivery to now, so that each object's story ends now;
* :func:`redate` moves every ISO 8601 date and date-time string of a JSON value by that
  much, each kept in its own format (``Z``, offset or none; its fraction digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any

_NOW: ContextVar[datetime | None] = ContextVar("disputeflow_samples_now", default=None)
_DATE_TIME = re.compile(
    r"^(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?P<fraction>\.\d{1,9})?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@contextmanager
def samples_dated_at(now: datetime) -> Iterator[None]:
    """Within this block, samples end at ``now`` (aware UTC) instead of their documented
    dates."""
    if now.tzinfo is None:
        raise ValueError("samples_dated_at needs an aware time")
    token = _NOW.set(now.astimezone(UTC))
    try:
        yield
    finally:
        _NOW.reset(token)


def shift_for(last: datetime | str) -> timedelta:
    """How far to move a sample object whose last delivery is at ``last`` (an aware time or
    an ISO 8601 string with a zone): to now in the demo, not at all otherwise. Whole
    seconds, so every format keeps its fraction."""
    now = _NOW.get()
    if now is None:
        return timedelta(0)
    moment = datetime.fromisoformat(last.replace("Z", "+00:00")) if isinstance(last, str) else last
    if moment.tzinfo is None:
        raise ValueError(f"shift_for needs a time with a zone, got {last!r}")
    return timedelta(seconds=int((now - moment).total_seconds()))


def redate(value: Any, delta: timedelta) -> Any:
    """A copy of a JSON value with every date-time (and plain date) string moved by
    ``delta``; keys, numbers and other strings stay as they are."""
    if not delta:
        return value
    if isinstance(value, dict):
        return {key: redate(item, delta) for key, item in value.items()}
    if isinstance(value, list):
        return [redate(item, delta) for item in value]
    if isinstance(value, str):
        return redate_text(value, delta)
    return value


def redate_text(text: str, delta: timedelta) -> str:
    """``text`` moved by ``delta`` if it is an ISO 8601 date-time or date, else as it is."""
    found = _DATE_TIME.match(text)
    if found:
        moved = datetime.fromisoformat(found["base"]) + delta
        return f"{moved:%Y-%m-%dT%H:%M:%S}{found['fraction'] or ''}{found['zone'] or ''}"
    if _DATE.match(text):
        return (date.fromisoformat(text) + timedelta(days=delta.days)).isoformat()
    return text
