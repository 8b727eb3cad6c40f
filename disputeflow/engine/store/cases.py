"""Cases in the store: the row, its timeline, evidence, messages and snapshot history."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.core.errors import InvalidInputError, NotFoundError
from disputeflow.core.snapshot import CaseSnapshot, OrderKey
from disputeflow.core.values import Evidence, Message, TimelineEntry
from disputeflow.engine.store import case_search, deferred
from disputeflow.engine.store.case_writes import (  # written in Core there; used from here
    add_entries as add_entries,
)
from disputeflow.engine.store.case_writes import (
    replace_items as replace_items,
)
from disputeflow.engine.store.case_writes import (
    save_case as save_case,
)
from disputeflow.engine.store.case_writes import (
    save_merge as save_merge,
)
from disputeflow.engine.store.links import order_filter
from disputeflow.engine.store.tables import (
    CaseRow,
    CaseSnapshotRow,
    EvidenceRow,
    MessageRow,
    TimelineRow,
)

_CASES = cast(Table, CaseRow.__table__)
_TIMELINE = cast(Table, TimelineRow.__table__)
_EVIDENCE = cast(Table, EvidenceRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)
_FIND = select(_CASES).where(
    _CASES.c.connection_id == bindparam("c"),
    _CASES.c.object_type == bindparam("o"),
    _CASES.c.external_id == bindparam("e"),
)
_FIND_LOCKED = _FIND.with_for_update()
# PostgreSQL, when a case another transaction holds must not be waited for: the row locked
# for this one (``mine``), or else the row as committed, marked held; no row: no case.
_MINE = _FIND.with_for_update(skip_locked=True).cte("mine")
_FIND_UNLESS_HELD = union_all(
    select(_MINE, literal_column("false").label("held")),
    select(_CASES, literal_column("true").label("held")).where(
        _CASES.c.connection_id == bindparam("c"),
        _CASES.c.object_type == bindparam("o"),
        _CASES.c.external_id == bindparam("e"),
        ~select(_MINE.c.id).exists(),
    ),
)
# PostgreSQL: who creates a case holds a lock on its key until commit (two int4 keys: a
# space of their own, apart from the single-bigint locks of links and automation).
_KEY_SPACE = 0x64660001
_KEY_LOCK = text("SELECT pg_advisory_xact_lock(:space, :key)")
_TRY_KEY_LOCK = text("SELECT pg_try_advisory_xact_lock(:space, :key)")
deferred.unaffected(_FIND, _FIND_LOCKED, _FIND_UNLESS_HELD, _KEY_LOCK, _TRY_KEY_LOCK)
SKIP_HELD = "disputeflow.skip_held_cases"  # session.info: find_row raises CaseHeld instead
LOCK_NEW = "disputeflow.lock_new_cases"  # session.info: creators take the key's lock


class CaseHeld(Exception):
    """The case is locked, or being created, by another transaction (another worker's
    group), and this one asked not to wait for it (:data:`SKIP_HELD`)."""


_KEY: Any = bindparam("case_key")
_SNAPSHOTS = cast(Table, CaseSnapshotRow.__table__)
_SNAPSHOTS_OF = select(_SNAPSHOTS.c.fingerprint, _SNAPSHOTS.c.data).where(
    _SNAPSHOTS.c.case_id == _KEY
)
_NONE = null()


def _part(name: str) -> ColumnElement[str]:
    return literal_column(f"'{name}'", String)


# A case's timeline, evidence and messages in one statement: one row shape for the three,
# its column types those of the timeline's (the first SELECT), ``part`` telling them apart.
_T, _E, _M = _TIMELINE.c, _EVIDENCE.c, _MESSAGES.c
_CHILDREN_OF = union_all(
    select(_part("t").label("part"), _T.id, _T.at, _T.actor, _T.kind, _T.summary, _T.data,
           _T.derived).where(_T.case_id == _KEY),
    select(_part("e"), _E.id, _NONE, _NONE, _NONE, _NONE, _E.data, _NONE).where(
        _E.case_id == _KEY),
    select(_part("m"), _M.id, _M.sent_at, _M.external_id, _M.party, _M.body, _NONE,
           _NONE).where(_M.case_id == _KEY),
)  # fmt: skip
deferred.per_case("case_key", _CHILDREN_OF, _SNAPSHOTS_OF)


@dataclass(frozen=True)
class CaseFilter:
    """What ``cases list`` and ``GET /api/v1/cases`` filter on; ``None`` means any."""

    platform: str | None = None
    connection_id: str | None = None
    kind: str | None = None
    status: str | None = None
    category: str | None = None
    queue: str | None = None
    due_before: datetime | None = None
    q: str | None = None
    buyer_country: str | None = None
    order: str | None = None  # an order's id or identifier: its cases, and those linked to them


def find_row(
    session: Session, connection_id: str, object_type: str, external_id: str, *, lock: bool = False
) -> Any:
    """The case row of one platform object (a plain row, not an ORM object), locked for
    update when ``lock`` (PostgreSQL). With :data:`LOCK_NEW` set on the session (a
    worker's group), finding no case takes the lock on its key that creators hold; with
    :data:`SKIP_HELD` too, a case another transaction holds or is creating raises
    :class:`CaseHeld` at once instead of being waited for, and the transaction stays
    usable."""
    session.flush()  # ORM changes to cases first: this read and the writes after bypass it
    keys = {"c": connection_id, "o": object_type, "e": external_id}
    connection = session.connection()
    if not lock or connection.dialect.name != "postgresql" or not session.info.get(LOCK_NEW):
        return connection.execute(_FIND_LOCKED if lock else _FIND, keys).first()
    key = {"space": _KEY_SPACE, "key": _key_lock_id(keys)}
    if session.info.get(SKIP_HELD):
        row = connection.execute(_FIND_UNLESS_HELD, keys).first()
        if row is not None and row.held:
            raise CaseHeld(external_id)
        if row is None and not connection.execute(_TRY_KEY_LOCK, key).scalar():
            raise CaseHeld(external_id)  # another worker is creating it
        return row
    row = connection.execute(_FIND_LOCKED, keys).first()
    if row is None:  # wait for a creator, if any, then look again
        connection.execute(_KEY_LOCK, key)
        row = connection.execute(_FIND_LOCKED, keys).first()
    return row


def _key_lock_id(keys: dict[str, str]) -> int:
    """The advisory lock id of one platform object's case key (a 32-bit hash: a collision
    only makes a creator wait, or leave a delivery for later)."""
    digest = hashlib.sha256("\0".join((keys["c"], keys["o"], keys["e"])).encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def get(session: Session, case_id: str) -> Case:
    """A whole case with timeline, evidence and messages; 404-style error when unknown."""
    row = session.get(CaseRow, case_id)
    if row is None:
        raise NotFoundError(f"no case {case_id!r}")
    return load(session, row)


def load(session: Session, row: Any) -> Case:
    """Assemble the aggregate from its row (an ORM row or a plain one) and its child rows,
    read in one statement."""
    parts: dict[str, list[Any]] = {"t": [], "e": [], "m": []}
    for child in session.connection().execute(_CHILDREN_OF, {"case_key": row.id}):
        parts[child.part].append(child)
    case = summary(row)
    case.timeline = sorted(
        (
            TimelineEntry(t.at, t.actor, t.kind, t.summary, dict(t.data), bool(t.derived))
            for t in sorted(parts["t"], key=lambda t: t.id)
        ),
        key=TimelineEntry.sort_key,
    )
    case.evidence = sorted(
        (Evidence.from_dict(e.data) for e in parts["e"]),
        key=lambda e: (e.submitted_at, e.external_id),
    )
    case.messages = sorted(
        # the union's columns: actor = external_id, kind = party, summary = body, at = sent_at
        (Message(m.actor, m.kind, m.summary, m.at) for m in parts["m"]),
        key=lambda m: (m.sent_at, m.external_id),
    )
    return case


def summary(row: Any) -> Case:
    """The case without its timeline, evidence and messages (for lists)."""
    return Case.from_dict(row.document)


def history_unless_merged(
    session: Session, case_id: str, fingerprint: str
) -> list[CaseSnapshot] | None:
    """Every snapshot merged into the case so far, or ``None`` when the one of
    ``fingerprint`` is among them (a duplicate): one read for both questions."""
    rows = session.connection().execute(_SNAPSHOTS_OF, {"case_key": case_id}).all()
    if any(r.fingerprint == fingerprint for r in rows):
        return None
    return [CaseSnapshot.from_dict(r.data) for r in rows]


def newest_key(row: Any) -> OrderKey:
    """The order key of the newest snapshot merged, kept on the row so most merges need no
    history at all."""
    return (row.snapshot_at, row.snapshot_revision, row.snapshot_fingerprint)


def previous_cases_of_buyer(session: Session, case: Case) -> int:
    """How many cases the same buyer (by email or platform customer id) opened on the same
    connection before this one."""
    email = case.buyer.email.strip().lower() if case.buyer and case.buyer.email else None
    external_id = case.buyer.external_id if case.buyer else None
    same = [
        column == value
        for column, value in (
            (CaseRow.buyer_email, email),
            (CaseRow.buyer_external_id, external_id),
        )
        if value
    ]
    if not same:
        return 0
    query = select(func.count(CaseRow.id)).where(
        CaseRow.connection_id == case.connection_id,
        CaseRow.id != case.id,
        CaseRow.opened_at < case.opened_at,
        or_(*same),
    )
    return int(session.scalar(query) or 0)


SORTS = ("newest", "urgent")
"""``newest``: last changed first; ``urgent``: nearest ``due_at`` first, undated last."""

_URGENT_TAG = "urgent"


def encode_cursor(row: CaseRow, sort: str = "newest") -> str:
    """An opaque cursor: the last row's sort key (for ``urgent``, tagged so that a cursor
    of one order is refused by the other)."""
    if sort == "urgent":
        due = to_rfc3339(row.due_at) if row.due_at else None
        key: list[str | None] = [_URGENT_TAG, due, row.id]
    else:
        key = [to_rfc3339(row.updated_at), row.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[datetime | None, str]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort == "urgent":
            tag, stamp, case_id = key
            if tag != _URGENT_TAG:
                raise ValueError(tag)
            return (parse_rfc3339(stamp) if stamp is not None else None), str(case_id)
        stamp, case_id = key
        return parse_rfc3339(stamp), str(case_id)
    except (ValueError, TypeError):
        raise InvalidInputError("invalid cursor", errors={"cursor": ["invalid"]}) from None


def _filtered(
    session: Session, query: Select[CaseRow], filters: CaseFilter, *, every: bool = False
) -> Select[CaseRow]:
    """``every``: all matching rows are read (a count), not the first page."""
    for column, value in (
        (CaseRow.platform, filters.platform),
        (CaseRow.connection_id, filters.connection_id),
        (CaseRow.kind, filters.kind),
        (CaseRow.status, filters.status),
        (CaseRow.category, filters.category),
        (CaseRow.queue, filters.queue),
        (CaseRow.buyer_country, filters.buyer_country),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.due_before is not None:
        query = query.where(CaseRow.due_at < filters.due_before)
    if filters.q:
        query = query.where(case_search.condition(session, filters.q, every=every))
    if filters.order:
        query = query.where(order_filter(filters.order))
    return query


def _after_newest(cursor: str) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row, newest first. The plain range on
    ``updated_at`` comes first, so the index scan starts at the cursor instead of filtering
    every row before it (deep pages stay as fast as the first)."""
    stamp, case_id = _decode_cursor(cursor, "newest")
    assert stamp is not None  # a newest cursor always has its updated_at
    return and_(
        CaseRow.updated_at <= stamp,
        or_(CaseRow.updated_at < stamp, CaseRow.id < case_id),
    )


def count_by_status(session: Session, filters: CaseFilter) -> dict[str, int]:
    """How many cases match ``filters`` in each status (statuses with none left out)."""
    matching = _filtered(session, select(CaseRow), filters, every=True).subquery()
    query = select(matching.c.status, func.count()).group_by(matching.c.status)
    return {str(status): int(n) for status, n in session.execute(query)}


def list_rows(
    session: Session,
    filters: CaseFilter,
    *,
    limit: int = 50,
    cursor: str | None = None,
    sort: str = "newest",
) -> tuple[list[CaseRow], str | None]:
    """One page of cases and the cursor of the next page.

    ``sort="newest"`` (default): most recently changed first (``updated_at`` desc, ``id``
    desc). ``sort="urgent"``: nearest ``due_at`` first, then ``id``; cases without a
    deadline come last.
    """
    if sort not in SORTS:
        raise InvalidInputError(f"unknown sort {sort!r}", errors={"sort": [f"one of {SORTS}"]})
    query = _filtered(session, select(CaseRow), filters)
    if sort == "urgent":
        rows = _urgent_rows(session, query, limit + 1, cursor)
    else:
        if cursor:
            query = query.where(_after_newest(cursor))
        query = query.order_by(CaseRow.updated_at.desc(), CaseRow.id.desc())
        rows = list(session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1], sort) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _urgent_rows(
    session: Session, query: Select[CaseRow], wanted: int, cursor: str | None
) -> list[CaseRow]:
    """Up to ``wanted`` rows by ``due_at`` then ``id``, those without a deadline last.

    Two index range scans (cases with a deadline, then those without) rather than one
    ``ORDER BY due_at NULLS LAST``, which SQLite can only answer by sorting every row.
    """
    stamp, case_id = _decode_cursor(cursor, "urgent") if cursor else (None, None)
    rows: list[CaseRow] = []
    if cursor is None or stamp is not None:  # not yet in the block without a deadline
        dated = query.where(CaseRow.due_at.is_not(None))
        if stamp is not None:
            after = or_(CaseRow.due_at > stamp, CaseRow.id > case_id)
            dated = dated.where(CaseRow.due_at >= stamp, after)
        dated = dated.order_by(CaseRow.due_at.asc(), CaseRow.id.asc()).limit(wanted)
        rows = list(session.scalars(dated))
    if len(rows) < wanted:
        undated = query.where(CaseRow.due_at.is_(None))
        if cursor is not None and stamp is None:
            undated = undated.where(CaseRow.id > case_id)
        undated = undated.order_by(CaseRow.id.asc()).limit(wanted - len(rows))
        rows += session.scalars(undated)
    return rows
