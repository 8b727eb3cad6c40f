"""The period the analytics page shows when none is asked for: one that holds data.

The last :data:`DEFAULT_MONTHS` whole months up to now, unless no case was opened in them
while older cases exist: then the same number of months up to the month of the newest case
(an installation that has been quiet, or data imported from the past, never opens on an
empty page).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from disputeflow.core.clock import ensure_utc
from disputeflow.engine.store.tables import CaseRow
from disputeflow.features.analytics.periods import months_back, next_month

DEFAULT_MONTHS = 6


def default_window(
    session: Session, now: datetime, months: int = DEFAULT_MONTHS
) -> tuple[datetime, datetime, bool]:
    """``(since, until, moved)``: ``moved`` when the window was moved back to the data."""
    since = months_back(now, months)
    newest = session.scalar(select(func.max(CaseRow.opened_at)).where(CaseRow.opened_at < now))
    if newest is None:
        return since, now, False
    newest = ensure_utc(newest, field="opened_at")
    if newest >= since:
        return since, now, False
    return months_back(newest, months), min(next_month(newest), now), True
