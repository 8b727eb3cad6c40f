"""Writing a case: the hot path of every merge, in SQLAlchemy Core statements.

The case row, its snapshot, timeline entries, evidence and messages are written with plain
``INSERT``/``UPDATE`` statements (one ``executemany`` per table), not through the ORM's unit
of work: a merge is a few statements and no flush. An ORM copy of a case loaded earlier in
the same transaction (a link to it) is expired when the row is written, so it never writes
back stale values.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.merge import MergeResult
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store import case_search, deferred
from disputeflow.engine.store.tables import (
    CaseRow,
    CaseSnapshotRow,
    EvidenceRow,
    MessageRow,
    TimelineRow,
)
from disputeflow.engine.store.trail import record_new

Entries = list[TimelineEntry]
# Kept in their own tables, not in the case document.
_CHILD_KEYS = ("timeline", "evidence", "messages", "allowed_actions", "due_at", "must_act")
_CASES = cast(Table, CaseRow.__table__)
_SNAPSHOTS = cast(Table, CaseSnapshotRow.__table__)
_TIMELINE = cast(Table, TimelineRow.__table__)
_EVIDENCE = cast(Table, EvidenceRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)
# Built once: a merge only binds values (statement construction cost more than running them).
_INSERT_CASE = insert(_CASES)
_UPDATE_CASE = update(_CASES).where(_CASES.c.id == bindparam("case_key"))
_INSERT_SNAPSHOT = insert(_SNAPSHOTS)
_INSERT_TIMELINE = insert(_TIMELINE)
_DELETE_DERIVED = delete(_TIMELINE).where(
    _TIMELINE.c.case_id == bindparam("case_key"), _TIMELINE.c.derived
)
_DELETE_EVIDENCE = delete(_EVIDENCE).where(_EVIDENCE.c.case_id == bindparam("case_key"))
_DELETE_MESSAGES = delete(_MESSAGES).where(_MESSAGES.c.case_id == bindparam("case_key"))
_INSERT_EVIDENCE = insert(_EVIDENCE)
_INSERT_MESSAGES = insert(_MESSAGES)
deferred.unaffected(_INSERT_CASE, _UPDATE_CASE, _DELETE_EVIDENCE, _DELETE_MESSAGES,
                    _INSERT_EVIDENCE, _INSERT_MESSAGES)  # fmt: skip
deferred.per_case("case_key", _DELETE_DERIVED)


def save_merge(
    session: Session,
    result: MergeResult,
    snapshot: CaseSnapshot,
    row: Any,
    previous: Case | None = None,
) -> None:
    """Persist a merge: the case row (``row`` is ``None`` for a new case), the snapshot,
    what the timeline gained, and the evidence and messages when they changed from
    ``previous`` (the case before)."""
    case = result.case
    newest = snapshot if result.created or not result.late else None
    values = row_values(case, newest)
    values["rules_due_at"] = utcnow()  # the automation rules look at every change
    connection = session.connection()
    if row is None:
        connection.execute(_INSERT_CASE, {"id": case.id, **values})
    else:
        _expire(session, case.id)
        connection.execute(_UPDATE_CASE, {"case_key": case.id, **values})
    if result.late:  # before the snapshot is kept, which would make this write it first
        connection.execute(_DELETE_DERIVED, {"case_key": case.id})
    deferred.insert(
        connection,
        _INSERT_SNAPSHOT,
        [{"case_id": case.id, "fingerprint": snapshot.fingerprint,
          "observed_at": snapshot.observed_at, "data": snapshot.to_dict()}],
    )  # fmt: skip
    if result.late:
        local_new = [e for e in result.new_entries if not e.derived]
        derived = [e for e in case.timeline if e.derived]
        add_entries(session, case.id, derived + local_new, new=result.new_entries)
    else:
        add_entries(session, case.id, result.new_entries)
    if previous is None or (previous.evidence, previous.messages) != (case.evidence, case.messages):
        replace_items(session, case, new=row is None)


def _expire(session: Session, case_id: str) -> None:
    """Forget an ORM copy of the case (its pending changes were flushed before the read)."""
    loaded = session.identity_map.get(identity_key(CaseRow, case_id))
    if loaded is not None:
        session.expire(loaded)


def row_values(case: Case, newest: CaseSnapshot | None) -> dict[str, Any]:
    """The case row's columns for ``case`` (and its newest snapshot, when it is one)."""
    values = SimpleNamespace()
    _fill_row(values, case, newest)
    return vars(values)


def save_case(session: Session, case: Case, row: CaseRow) -> None:
    """Persist local changes to a case's row (queue, category, extra) without a snapshot."""
    _fill_row(row, case, None)


def add_entries(
    session: Session, case_id: str, entries: list[TimelineEntry], new: Entries | None = None
) -> None:
    """Append timeline entries; the ``new`` ones (default: all) are audited and notified."""
    record_new(session, case_id, entries if new is None else new)
    if entries:
        deferred.insert(
            session.connection(),
            _INSERT_TIMELINE,
            [
                {"case_id": case_id, "at": e.at, "actor": str(e.actor), "kind": str(e.kind),
                 "summary": e.summary, "data": e.data, "derived": e.derived}
                for e in entries
            ],
        )  # fmt: skip


def replace_items(session: Session, case: Case, *, new: bool = False) -> None:
    """Rewrite the evidence and messages rows of a case from the aggregate (``new``: a case
    inserted just now, which has none to delete)."""
    connection = session.connection()
    if not new:
        connection.execute(_DELETE_EVIDENCE, {"case_key": case.id})
        connection.execute(_DELETE_MESSAGES, {"case_key": case.id})
    if case.evidence:
        connection.execute(
            _INSERT_EVIDENCE,
            [
                {"case_id": case.id, "external_id": e.external_id, "party": str(e.party),
                 "submitted_at": e.submitted_at, "data": e.to_dict()}
                for e in case.evidence
            ],
        )  # fmt: skip
    if case.messages:
        connection.execute(
            _INSERT_MESSAGES,
            [
                {"case_id": case.id, "external_id": m.external_id, "party": str(m.party),
                 "sent_at": m.sent_at, "body": m.body}
                for m in case.messages
            ],
        )  # fmt: skip


def _fill_row(row: Any, case: Case, newest: CaseSnapshot | None) -> None:
    # without the children to_dict would serialise (the whole timeline) for nothing
    bare = replace(case, timeline=[], evidence=[], messages=[])
    document = {k: v for k, v in bare.to_dict().items() if k not in _CHILD_KEYS}
    row.connection_id = case.connection_id
    row.platform = case.platform
    row.object_type = case.object_type
    row.external_id = case.external_id
    row.kind = str(case.kind)
    row.status = str(case.status)
    row.category = str(case.category)
    row.stage = str(case.stage) if case.stage else None
    row.outcome = str(case.outcome) if case.outcome else None
    row.queue = case.queue
    row.amount_minor = case.amount.minor if case.amount else None
    row.currency = case.amount.currency if case.amount else None
    row.buyer_country = case.buyer.country if case.buyer else None
    email = case.buyer.email if case.buyer else None
    row.buyer_email = email.strip().lower()[:320] if email else None
    external_id = case.buyer.external_id if case.buyer else None
    row.buyer_external_id = external_id[:200] if external_id else None
    row.order_external_id = case.order.external_id if case.order else None
    row.search_text = case_search.text_of(case)
    row.due_at = case.due_at
    row.opened_at = case.opened_at
    row.updated_at = case.updated_at
    row.document = document
    if newest is not None:
        row.snapshot_at = newest.observed_at
        row.snapshot_revision = newest.revision if newest.revision is not None else -1
        row.snapshot_fingerprint = newest.fingerprint
