"""Small readers of Shopify values: ids (integers, strings or GIDs), money, times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from disputeflow import Money, SnapshotError
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.errors import InvalidInputError

GID_PREFIX = "gid://shopify/"
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def numeric_id(value: Any) -> str | None:
    """A Shopify id as the decimal string of its number: ``285332461850802063`` and
    ``"gid://shopify/Return/285332461850802063"`` both give ``"285332461850802063"``.

    Cases keep this form whichever API the object came from, so a webhook and a poll of
    one object meet in one case. ``None`` for a missing id.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):  # a 64-bit id that went through a float lost its digits
        raise SnapshotError(f"id {value!r} is a float; Shopify ids are 64-bit integers")
    text = str(value).strip()
    if text.startswith(GID_PREFIX):
        text = text.rsplit("/", 1)[-1].split("?", 1)[0]
    return text or None


def gid(kind: str, value: Any) -> str:
    """The Admin GraphQL id of object ``kind`` (``Order``, ``Return`` ...) numbered ``value``."""
    text = str(value)
    return text if text.startswith(GID_PREFIX) else f"{GID_PREFIX}{kind}/{text}"


def money(amount: Any, currency: Any) -> Money | None:
    """Exact money from Shopify's decimal strings; ``None`` when either half is missing."""
    if amount in (None, "") or not currency:
        return None
    try:
        return Money(amount if isinstance(amount, int) else str(amount), str(currency))
    except InvalidInputError as error:
        raise SnapshotError(f"unreadable amount {amount!r} {currency!r}: {error}") from None


def money_v2(value: Any) -> Money | None:
    """A GraphQL ``MoneyV2`` (``{"amount", "currencyCode"}``)."""
    if not isinstance(value, dict):
        return None
    return money(value.get("amount"), value.get("currencyCode"))


def when(value: Any, field: str) -> datetime | None:
    """An aware time from an ISO 8601 string with an offset; ``None`` when absent.

    A bare date (GraphQL ``Date`` fields such as ``evidenceDueBy``) is midnight UTC of that
    day, which is what the REST form of the same deadline says (``T19:00:00-05:00`` the
    evening before).
    """
    if not value:
        return None
    text = str(value).strip()
    if DATE_ONLY.match(text):
        text += "T00:00:00Z"
    try:
        return parse_rfc3339(text, field=field)
    except InvalidInputError as error:
        raise SnapshotError(str(error)) from None


def dig(data: Any, *path: str) -> Any:
    """``data[a][b]...`` or ``None`` when any step is missing (GraphQL nulls included)."""
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def lower(value: Any) -> str | None:
    """GraphQL enum values (``UNDER_REVIEW``) in the REST spelling (``under_review``)."""
    return str(value).lower() if isinstance(value, str) else None
