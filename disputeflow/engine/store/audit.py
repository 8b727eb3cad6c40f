"""The tamper-evident audit trail: an append-only chain of entries, each carrying the
SHA-256 of its own canonical JSON and the hash of the entry before it.

What is recorded: every timeline entry (state changes, actions, rule decisions), every
notice sent or failed, and every view of a buyer's personal data. An entry holds who, what,
when and ids, and commits to the content of what it records by digest (``content_sha256``)
rather than copying it, so the log itself holds no personal data and an erasure never has to
touch it.

Appends are queued on the session (:func:`record`) and written when it commits, last of all
its work: on PostgreSQL under a transaction-level advisory lock, on SQLite under the writer
lock every write transaction takes (``BEGIN IMMEDIATE``). Appends are therefore serialised and
the chain never forks (``prev_hash`` is also unique); taking the lock last means no
transaction waits for another lock while holding it. :func:`verify` walks the chain and names
the first entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store.tables import AuditRow

GENESIS = "0" * 64
_PENDING = "disputeflow_audit_pending"
# pg_advisory_xact_lock key: "disputeflow audit" folded into a signed 64-bit integer.
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"disputeflow audit").digest()[:8], "big", signed=True)

STATE, ACTION, RULE, NOTICE, VIEW = "state", "action", "rule", "notice", "view"
KINDS = (STATE, ACTION, RULE, NOTICE, VIEW)
# Data keys of a timeline entry copied into its audit entry: ids and states, never free text.
_SAFE_KEYS = ("action_id", "action", "rule", "old", "new", "outcome", "lead_hours", "requested_by")


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


def entry_hash(row: AuditRow) -> str:
    """SHA-256 over the canonical JSON of the entry and the previous hash."""
    return digest(
        {
            "seq": row.seq,
            "at": to_rfc3339(row.at),
            "kind": row.kind,
            "case_id": row.case_id,
            "actor": row.actor,
            "subject": row.subject,
            "details": row.details,
            "prev_hash": row.prev_hash,
        }
    )


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


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    # SQLite: this transaction began IMMEDIATE and holds the database's one writer lock.


def _append(session: Session, drafts: list[AuditDraft]) -> None:
    _lock(session)
    last = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, previous = (last[0], last[1]) if last else (0, GENESIS)
    for draft in drafts:
        seq += 1
        row = AuditRow(
            seq=seq,
            at=draft.at,
            kind=draft.kind,
            case_id=draft.case_id,
            actor=draft.actor,
            subject=draft.subject,
            details=draft.details,
            prev_hash=previous,
            hash="",
        )
        row.hash = previous = entry_hash(row)
        session.add(row)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    drafts: list[AuditDraft] = session.info.pop(_PENDING, [])
    if drafts:
        _append(session, drafts)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the chain: how many entries matched, and the first that did
    not (``None`` when the whole chain is intact)."""

    checked: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _rows(session: Session, batch: int = 1000) -> Iterator[AuditRow]:
    after = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> Verification:
    """Recompute every hash in order; the first entry whose sequence, link or hash is wrong."""
    previous, expected_seq, checked = GENESIS, 1, 0
    for row in _rows(session):
        problem = None
        if row.seq != expected_seq:
            problem = f"entry {expected_seq} is missing (found {row.seq} next)"
        elif row.prev_hash != previous:
            problem = "its previous hash does not match the entry before it"
        elif entry_hash(row) != row.hash:
            problem = "its content does not match its hash (edited)"
        if problem:
            return Verification(checked, previous, expected_seq, problem)
        previous, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return Verification(checked, previous)


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
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }
