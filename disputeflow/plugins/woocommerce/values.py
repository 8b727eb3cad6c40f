"""Reading WooCommerce's own value formats: GMT times without a zone, unix times, money
strings with the store's decimals (refund totals negative), ids of any size."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from disputeflow import Money, Party, SnapshotError
from disputeflow.core.errors import InvalidInputError


def gmt_time(value: Any) -> datetime | None:
    """A ``*_gmt`` field (``2017-03-22T19:28:08``, UTC without a zone) or WooPayments'
    cached ``2023-04-06 04:19:38`` (UTC: it matches the dispute's unix time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" ", "T").removesuffix("Z")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def unix_time(value: Any) -> datetime | None:
    """A unix timestamp (int or numeric string) as an aware UTC time."""
    if isinstance(value, bool):
        return None
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC)


def any_time(value: Any) -> datetime | None:
    """A unix timestamp or a GMT date string, whichever the object used."""
    return unix_time(value) if _is_integral(value) else gmt_time(value)


def _is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def money(value: Any, currency: Any, *, absolute: bool = False) -> Money | None:
    """A WooCommerce amount (string, or a Decimal from the JSON) in ``currency``; ``None``
    when either is missing or unreadable. Refund totals are negative: ``absolute`` flips them."""
    if value is None or value == "" or not isinstance(currency, str) or not currency:
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    try:
        return Money(abs(amount) if absolute else amount, currency)
    except InvalidInputError:
        return None


def external_id(value: Any) -> str | None:
    """A platform id as a string (64-bit ids stay exact: JSON ints are parsed as ``int``)."""
    if value is None or isinstance(value, bool) or value == "" or value == 0:
        return None
    return str(value)


def party(name: str | None, email: Any, country: Any, customer_id: Any = None) -> Party:
    """A buyer; an empty or malformed country is left out rather than refused."""
    code = country.strip().upper() if isinstance(country, str) else ""
    valid = len(code) == 2 and code.isascii() and code.isalpha()
    return Party(
        name=name or None,
        email=(email.strip() or None) if isinstance(email, str) else None,
        country=code if valid else None,
        external_id=external_id(customer_id),
    )


def require(value: datetime | None, what: str) -> datetime:
    """A time the snapshot cannot do without."""
    if value is None:
        raise SnapshotError(f"the WooCommerce object has no {what}")
    return value
