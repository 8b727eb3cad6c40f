"""What follows from a timeline entry being recorded: its audit entry, and whatever the
plugins queue for it (the built-in notices: the notices of the step it is), all in the
transaction that records the entry itself."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store import audit
from disputeflow.engine.store.db import hooks_of


def record_new(session: Session, case_id: str, entries: Sequence[TimelineEntry]) -> None:
    """Audit entries new to the case, then ``disputeflow_entries_recorded``."""
    recorded = tuple(entries)
    audit.record_entries(session, case_id, recorded)
    hooks_of(session).disputeflow_entries_recorded(
        session=session, case_id=case_id, entries=recorded
    )
