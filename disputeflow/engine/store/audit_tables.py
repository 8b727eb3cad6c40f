"""The audit trail's lanes and signed checkpoints (migration 0010).

The trail is 16 chains (lanes) that workers append to at once, a case's entries always in
the lane of its id; each lane keeps its head here, locked by whoever appends to it. A
checkpoint, written by housekeeping, signs every lane's head with the installation's key,
so a lane rewritten or cut short behind it no longer matches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from disputeflow.engine.store.tables import Base


class AuditLaneRow(Base):
    """One lane's newest entry (``head_seq`` 0 and the genesis hash before its first)."""

    __tablename__ = "audit_lanes"

    lane: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head_seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger)


class AuditCheckpointRow(Base):
    """Every lane's head at ``at``, signed (HMAC-SHA256 with a key derived from the
    installation's secret key), chained to the checkpoint before by its signature."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    heads: Mapped[dict[str, Any]]  # {"lane": [head_seq, head_hash]}
    prev_mac: Mapped[str] = mapped_column(String(64), unique=True)  # the chain never forks
    mac: Mapped[str] = mapped_column(String(64))
