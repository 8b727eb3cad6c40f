"""The tamper-evident audit trail: append-only chains of entries, each carrying the SHA-256
of its own canonical JSON and the hash of the entry before it in its lane.

What is recorded: every timeline entry (state changes, actions, rule decisions), every
notice sent or failed, and every view of a buyer's personal data. An entry holds who, what,
when and ids, and commits to the content of what it records by digest (``content_sha256``)
rather than copying it, so the log itself holds no personal data and an erasure never has to
touch it.

The trail is :data:`LANES` chains (lanes): a case's entries go to the lane of a stable hash
of its id, so many workers append at once, each locking only the lanes it writes (their
``audit_lanes`` rows, in lane order, so two appenders never deadlock). Appends are queued
on the session (:func:`record`) and written when it commits, last of all its work, so no
transaction waits for another lock while holding a lane. Sequence numbers are global (a
PostgreSQL sequence; on SQLite the one writer counts on), taken under the lane locks, so
within a lane they rise with the chain. Entries written before lanes existed form the
legacy lane, one chain as they were. Housekeeping signs every lane's head now and then
(:mod:`.audit_verify`), and its ``verify`` checks those along with every link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, insert, select, text, update
from sqlalchemy.orm import Session, SessionTransaction

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store.audit_tables import AuditLaneRow
from disputeflow.engine.store.tables import AuditRow

GENESIS = "0" * 64
LANES = 16
LEGACY_LANE = -1  # the entries of one chain, written before 0010
_PENDING = "disputeflow_audit_pending"
_MARKS = "disputeflow_audit_savepoints"  # savepoint -> entries queued before it

STATE, ACTION, RULE, NOTICE, VIEW = "state", "action", "rule", "notice", "view"
KINDS = (STATE, ACTION, RULE, NOTICE, VIEW)
# Data keys of a timeline entry copied into its audit entry: ids and states, never free text.
_SAFE_KEYS = ("action_id", "action", "rule", "old", "new", "outcome", "lead_hours", "requested_by")
_AUDIT = cast(Table, AuditRow.__table__)
_LANES = cast(Table, AuditLaneRow.__table__)


@dataclass(frozen=True)
class AuditDraft:
    """An entry waiting for its place in the chain."""

    at: datetime
    kind: str
    case_id: str | None
    actor: str
    subject: str
    details: dict[str, Any]


def canonical(value: Any) -> bytes:
    """The one byte form hashed: JSON, sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def lane_of(case_id: str | None) -> int:
    """The lane of a case's entries: a stable hash of its id (entries of no case share one)."""
    return int.from_bytes(hashlib.sha256((case_id or "").encode()).digest()[:4], "big") % LANES


def entry_hash(row: Any) -> str:
    """SHA-256 over the canonical JSON of the entry and the previous hash (and, past the
    legacy lane, its lane and the entry it follows). ``row``: an entry or a result row."""
    content = {
        "seq": row.seq,
        "at": to_rfc3339(row.at),
        "kind": row.kind,
        "case_id": row.case_id,
        "actor": row.actor,
        "subject": row.subject,
        "details": row.details,
        "prev_hash": row.prev_hash,
    }
    if row.lane != LEGACY_LANE:
        content.update(lane=row.lane, prev_seq=row.prev_seq)
    return digest(content)


def record(
    session: Session,
    kind: str,
    subject: str,
    *,
    case_id: str | None,
    actor: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Queue an entry; it is chained when ``session`` commits (and dropped if it rolls back)."""
    if kind not in KINDS:
        raise ValueError(f"audit kind must be one of {KINDS}, got {kind!r}")
    draft = AuditDraft(at or utcnow(), kind, case_id, actor[:200], subject[:100], details or {})
    session.info.setdefault(_PENDING, []).append(draft)


def pending_count(session: Session) -> int:
    """How many entries are queued (a savepoint that rolls back drops those after it)."""
    return len(session.info.get(_PENDING, ()))


def drop_pending_after(session: Session, count: int) -> None:
    """Forget the entries queued after the first ``count`` (their savepoint rolled back)."""
    del session.info.get(_PENDING, [])[count:]


def timeline_kind(entry: TimelineEntry) -> str:
    """Which part of the trail a timeline entry belongs to."""
    name = str(entry.kind)
    if name.startswith("action_") or name == "note":
        return ACTION
    return RULE if name in ("rule_applied", "routed") else STATE


def record_entries(session: Session, case_id: str, entries: Iterable[TimelineEntry]) -> None:
    """Queue one audit entry per timeline entry: its kind, actor and ids, and a digest of
    its whole content."""
    for entry in entries:
        data = entry.data
        safe = {
            k: data[k]
            for k in _SAFE_KEYS
            if isinstance(data.get(k), str | int | bool) or (k in data and data[k] is None)
        }
        details = {
            "timeline_at": to_rfc3339(entry.at),
            "derived": entry.derived,
            "content_sha256": digest(entry.to_dict()),
            **safe,
        }
        record(
            session,
            timeline_kind(entry),
            str(entry.kind),
            case_id=case_id,
            actor=str(entry.actor),
            details=details,
        )


# Built once (every group's commit runs them): only their values are bound.
_LOCK_LANES = (
    select(_LANES.c.lane, _LANES.c.head_seq, _LANES.c.head_hash, _LANES.c.entries)
    .where(_LANES.c.lane.in_(bindparam("lanes", expanding=True)))
    .order_by(_LANES.c.lane)
    .with_for_update()
)
_LAST_SEQ = select(func.max(_AUDIT.c.seq))
_NEXT_SEQS = text("SELECT nextval('audit_log_seq') FROM generate_series(1, :n)")
_INSERT = insert(_AUDIT)
_MOVE_HEADS = (
    update(_LANES)
    .where(_LANES.c.lane == bindparam("b_lane"))
    .values(head_seq=bindparam("b_seq"), head_hash=bindparam("b_hash"),
            entries=bindparam("b_entries"))
)  # fmt: skip


def _lock_lanes(session: Session, lanes: list[int]) -> dict[int, list[Any]]:
    """Lock the lanes' head rows in lane order; their heads and entry counts."""
    found = session.connection().execute(_LOCK_LANES, {"lanes": lanes})
    heads = {row.lane: [row.head_seq, row.head_hash, row.entries] for row in found}
    missing = sorted(set(lanes) - set(heads))
    if missing:
        raise RuntimeError(f"audit lanes {missing} are missing: run `disputeflow migrate`")
    return heads


def _next_seqs(session: Session, count: int) -> list[int]:
    """``count`` new sequence numbers, rising: PostgreSQL's sequence (no lock held past the
    call), or on SQLite the next after the last (this transaction is the one writer)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return sorted(connection.execute(_NEXT_SEQS, {"n": count}).scalars())
    last = connection.execute(_LAST_SEQ).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def _append(session: Session, drafts: list[AuditDraft]) -> None:
    heads = _lock_lanes(session, sorted({lane_of(d.case_id) for d in drafts}))
    rows = []
    for draft, seq in zip(drafts, _next_seqs(session, len(drafts)), strict=True):
        lane = lane_of(draft.case_id)
        head = heads[lane]
        row = _Entry(seq, draft.at, draft.kind, draft.case_id, draft.actor, draft.subject,
                     draft.details, head[1], lane, head[0])  # fmt: skip
        rows.append({**row.__dict__, "hash": entry_hash(row)})
        heads[lane] = [seq, rows[-1]["hash"], head[2] + 1]
    connection = session.connection()
    connection.execute(_INSERT, rows)
    connection.execute(
        _MOVE_HEADS,
        [{"b_lane": lane, "b_seq": s, "b_hash": h, "b_entries": n}
         for lane, (s, h, n) in heads.items()],
    )  # fmt: skip


@dataclass
class _Entry:
    seq: int
    at: datetime
    kind: str
    case_id: str | None
    actor: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    lane: int
    prev_seq: int


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer commit writes
        return
    drafts: list[AuditDraft] = session.info.pop(_PENDING, [])
    if drafts:
        _append(session, drafts)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = pending_count(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint_drafts(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back: the entries queued inside it go with it."""
    mark = session.info.get(_MARKS, {}).pop(previous, None)
    if previous.nested and mark is not None:
        drop_pending_after(session, mark)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    """The transaction rolled back: its queued entries go. SQLAlchemy fires this for a
    savepoint's rollback too (still inside the nested transaction): that one drops only
    its own entries (:func:`_drop_savepoint_drafts`), never the rest of the transaction's."""
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_MARKS, None)


def describe(row: AuditRow) -> dict[str, Any]:
    """The JSON form ``disputeflow audit list --json`` prints."""
    return {
        "seq": row.seq,
        "at": to_rfc3339(row.at),
        "kind": row.kind,
        "case_id": row.case_id,
        "actor": row.actor,
        "subject": row.subject,
        "details": row.details,
        "lane": row.lane,
        "prev_seq": row.prev_seq,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }
