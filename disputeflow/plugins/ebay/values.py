"""Reading eBay's value shapes tolerantly: amounts, times, texts, ids, business days.

Post-Order amounts are ``{"value": number, "currency"}`` and times ``{"value": "...Z",
"formattedValue": "..."}``; Fulfillment amounts carry the value as a string and times as
plain strings. Every reader here returns ``None`` for what is missing or unreadable, so one
odd field never loses a whole case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from disputeflow import DisputeflowError, Money
from disputeflow.core.clock import parse_rfc3339


def dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or ``None`` as soon as a step is missing."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def text(value: Any) -> str | None:
    """A non-empty string (numbers, such as 64-bit ids, exactly as digits), else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str | Decimal):
        result = str(value).strip()
        return result or None
    return None


def time(value: Any) -> datetime | None:
    """An aware UTC time from ``"...Z"`` or ``{"value": "...Z"}``."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_rfc3339(value)
    except DisputeflowError:
        return None


def money(value: Any) -> Money | None:
    """Money from an eBay amount object; ``None`` when absent, unknown or not exact."""
    if not isinstance(value, Mapping):
        return None
    raw, currency = value.get("value"), value.get("currency")
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
        return None
    if not isinstance(currency, str):
        return None
    try:
        return Money(str(raw), currency)
    except DisputeflowError:
        return None


def country(value: Any) -> str | None:
    """An ISO 3166-1 alpha-2 code, or ``None`` (eBay sometimes sends names or ``"UNKNOWN"``)."""
    code = text(value)
    if code and len(code) == 2 and code.isascii() and code.isalpha():
        return code.upper()
    return None


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday), as eBay counts some windows."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def amount_text(value: Money) -> str:
    """An amount as eBay takes it in requests: a decimal string with the currency's digits."""
    return str(value.value)


_NUMBER_MARK = "\x00number\x00"


def json_bytes(value: Any) -> bytes:
    """Compact JSON of a request body, ``Decimal`` values written as JSON numbers with their
    exact digits (Post-Order's ``Amount.value`` is a number; a float never touches money)."""

    def mark(item: Any) -> Any:
        if isinstance(item, Decimal):
            return f"{_NUMBER_MARK}{item}{_NUMBER_MARK}"
        if isinstance(item, Mapping):
            return {str(key): mark(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [mark(inner) for inner in item]
        return item

    text = json.dumps(mark(value), separators=(",", ":"), ensure_ascii=False)
    marker = json.dumps(_NUMBER_MARK)[1:-1]
    return re.sub(f'"{re.escape(marker)}(-?[0-9.]+){re.escape(marker)}"', r"\1", text).encode()
