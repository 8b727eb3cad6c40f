"""Small builders for test data, so tests state only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from disputeflow import CaseSnapshot, Money

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def snapshot(external_id: str = "1001", *, hours: float = 0, **fields: Any) -> CaseSnapshot:
    """A dispute snapshot of the fake platform, ``hours`` after T0."""
    values: dict[str, Any] = {
        "platform": "fake",
        "object_type": "dispute",
        "external_id": external_id,
        "kind": "chargeback",
        "observed_at": T0 + timedelta(hours=hours),
        "status": "needs_response",
        "category": "fraud",
        "amount": Money("12.50", "EUR"),
    }
    values.update(fields)
    return CaseSnapshot(**values)
