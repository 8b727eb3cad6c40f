"""What follows from a timeline entry being recorded: its audit entry, and the notices
of the step it is (both queued in the same transaction as the entry itself)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from disputeflow.core.notices import steps
from disputeflow.core.store import audit
from disputeflow.core.values import TimelineEntry


def record_new(session: Session, case_id: str, entries: Sequence[TimelineEntry]) -> None:
    """Audit entries new to the case, and queue the notices of the steps among them."""
    audit.record_entries(session, case_id, entries)
    steps.enqueue_for_entries(session, case_id, entries)
