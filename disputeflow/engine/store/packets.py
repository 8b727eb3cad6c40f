"""What an agent did to a case's evidence packet: their texts, the items they left out, their
statement, and whether (and by whom, when) it was saved as a draft or submitted.

The packet itself is assembled afresh each time (the platforms' data and what disputeflow
holds change); only the agent's work is kept, one row per case. Files the agent added are
rows of ``evidence_files`` (party ``merchant``); this row names them by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from disputeflow.engine.store.tables import Base

EDITING, DRAFT, SUBMITTED = "editing", "draft", "submitted"


class EvidencePacketRow(Base):
    """A case's packet edits (``edits``: ``{"items": {name: text}, "excluded": [...],
    "files": [{"id", "item"}]}``) and its state: editing, draft (saved on the platform) or
    submitted."""

    __tablename__ = "evidence_packets"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    edits: Mapped[dict[str, Any]]
    statement: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=EDITING)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None]
    action_id: Mapped[str | None] = mapped_column(String(40))


def get(session: Session, case_id: str) -> EvidencePacketRow | None:
    return session.get(EvidencePacketRow, case_id)


def get_or_create(session: Session, case_id: str, now: datetime) -> EvidencePacketRow:
    """The case's row, locked for the change; a new empty one the first time."""
    row = session.get(EvidencePacketRow, case_id, with_for_update=True)
    if row is None:
        row = EvidencePacketRow(
            case_id=case_id, edits={}, statement="", state=EDITING, updated_at=now
        )
        session.add(row)
    return row
