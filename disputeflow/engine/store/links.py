"""One order's cases across connections: the identifiers each case's order carries, and the
links between cases (kept after an agent removes one, so a match never links them again).

A link is stored both ways (a row per direction), so each case reads its own with one index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from disputeflow.core.case import Case
from disputeflow.engine.store.tables import Base, CaseRow


class CaseReferenceRow(Base):
    """One identifier of a case's order (``Order.references``), found by its value."""

    __tablename__ = "case_references"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "value"),
        Index("ix_case_references_value", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    connection_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))


class CaseLinkRow(Base):
    """``case_id`` is linked to ``other_case_id`` (and a twin row says the reverse);
    ``unlinked_at`` set: an agent removed the link, and no match brings it back."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    other_case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    linked_by: Mapped[str | None] = mapped_column(String(200))  # None: an identifier matched
    linked_at: Mapped[datetime]
    unlinked_at: Mapped[datetime | None]
    unlinked_by: Mapped[str | None] = mapped_column(String(200))
    unlink_reason: Mapped[str | None] = mapped_column(Text)


def lock_references(session: Session, pairs: Iterable[tuple[str, str]]) -> None:
    """On PostgreSQL, one transaction at a time indexes an identifier (a lock per kind and
    value, until commit), so two workers ingesting two cases of one order at once still
    find each other: the second waits for the first to commit, then sees its identifiers.
    SQLite writes one transaction at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = {hashlib.sha256(f"{kind}\0{value}".encode()).digest()[:8] for kind, value in pairs}
    for key in sorted(
        int.from_bytes(k, "big", signed=True) for k in keys
    ):  # one order: no deadlock
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def replace_references(session: Session, case: Case) -> None:
    """Store the identifiers the case's order carries now (and only those)."""
    session.execute(delete(CaseReferenceRow).where(CaseReferenceRow.case_id == case.id))
    pairs = case.order.references if case.order else ()
    session.add_all(
        CaseReferenceRow(case_id=case.id, connection_id=case.connection_id, kind=k, value=v)
        for k, v in pairs
    )


def matching(session: Session, case: Case) -> dict[str, tuple[str, str]]:
    """The cases of *other* connections whose order carries one of this case's identifiers:
    ``{case_id: (kind, value)}``, the first identifier (in sorted order) that matched."""
    pairs = case.order.references if case.order else ()
    if not pairs:
        return {}
    same = [and_(CaseReferenceRow.kind == k, CaseReferenceRow.value == v) for k, v in pairs]
    query = (
        select(CaseReferenceRow.case_id, CaseReferenceRow.kind, CaseReferenceRow.value)
        .where(or_(*same), CaseReferenceRow.connection_id != case.connection_id)
        .order_by(CaseReferenceRow.kind, CaseReferenceRow.value, CaseReferenceRow.case_id)
    )
    found: dict[str, tuple[str, str]] = {}
    for case_id, kind, value in session.execute(query):
        found.setdefault(case_id, (kind, value))
    return found


def known_partners(session: Session, case_id: str) -> set[str]:
    """Every case ever linked to ``case_id``, removed links included."""
    query = select(CaseLinkRow.other_case_id).where(CaseLinkRow.case_id == case_id)
    return set(session.scalars(query))


def get_pair(session: Session, case_id: str, other_id: str) -> list[CaseLinkRow]:
    """The link's two rows (empty when the two were never linked)."""
    query = select(CaseLinkRow).where(
        or_(
            and_(CaseLinkRow.case_id == case_id, CaseLinkRow.other_case_id == other_id),
            and_(CaseLinkRow.case_id == other_id, CaseLinkRow.other_case_id == case_id),
        )
    )
    return list(session.scalars(query))


def put_pair(
    session: Session, case_id: str, other_id: str, *, reason: str, by: str | None, at: datetime
) -> None:
    """Link the two both ways (again, when an agent had removed the link)."""
    rows = {row.case_id: row for row in get_pair(session, case_id, other_id)}
    for one, two in ((case_id, other_id), (other_id, case_id)):
        row = rows.get(one) or CaseLinkRow(case_id=one, other_case_id=two)
        row.reason, row.linked_by, row.linked_at = reason, by, at
        row.unlinked_at = row.unlinked_by = row.unlink_reason = None
        session.add(row)
    session.flush()


def drop_pair(
    session: Session, case_id: str, other_id: str, *, reason: str, by: str, at: datetime
) -> None:
    """Mark the link removed (both rows kept, so the match is not made again)."""
    for row in get_pair(session, case_id, other_id):
        row.unlinked_at, row.unlinked_by, row.unlink_reason = at, by, reason


def order_filter(value: str) -> ColumnElement[bool]:
    """Cases of the order ``value`` names: its external id or one of its identifiers (a
    leading ``#`` ignored), and the cases linked to those."""
    wanted = {value.strip(), value.strip().removeprefix("#")}
    by_reference = select(CaseReferenceRow.case_id).where(CaseReferenceRow.value.in_(wanted))
    by_id = select(CaseRow.id).where(CaseRow.order_external_id.in_(wanted))
    direct = by_reference.union(by_id).subquery()
    linked = select(CaseLinkRow.other_case_id).where(
        CaseLinkRow.case_id.in_(select(direct.c[0])), CaseLinkRow.unlinked_at.is_(None)
    )
    return or_(CaseRow.id.in_(select(direct.c[0])), CaseRow.id.in_(linked))
