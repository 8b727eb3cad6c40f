"""What a buyer sends through disputeflow's own pages: a reply on their case, and a new
request for a store whose platform has no return or complaint flow of its own.

A reply is local to the case, like a merchant's note: the message and files join the
case's messages and evidence (kept through any refold of the platform's snapshots), with
timeline entries by the buyer; a request for information counts as answered, and the
automation rules look at the case again. A request is a snapshot of the connection's own
marketplace with ``object_type = "buyer_request"`` (one per order: asking again adds to
it), so it takes the normal flow: merge, classification, statutory rights, deadlines,
routing, notices and hooks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.errors import InvalidInputError
from disputeflow.core.events import CaseChange
from disputeflow.core.marketplace import FoundOrder
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import Actor, CaseKind, CaseStatus, Category, TimelineKind
from disputeflow.core.values import Evidence, Message, Party, TimelineEntry
from disputeflow.engine.ids import new_id
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases, connections
from disputeflow.engine.store.tables import CaseRow, EvidenceFileRow
from disputeflow.features.handling.deadlines import refresh_computed
from disputeflow.features.transparency import files

log = logging.getLogger(__name__)

REQUEST_OBJECT = "buyer_request"
MAX_TEXT = 5000
# What a buyer can say happened, in the order the form offers them.
REQUEST_CATEGORIES = (
    Category.NOT_RECEIVED,
    Category.NOT_AS_DESCRIBED,
    Category.DAMAGED,
    Category.DEFECTIVE,
    Category.WRONG_ITEM,
    Category.MISSING_PARTS,
    Category.CHANGED_MIND,
    Category.OTHER,
)


def _text(value: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"at most {MAX_TEXT} characters", errors={"message": ["too_long"]})
    return text


def _store_files(
    runtime: Runtime, session: Session, uploads: Sequence[files.Upload], case_id: str | None,
    now: datetime,
) -> list[EvidenceFileRow]:  # fmt: skip
    if len(uploads) > files.MAX_FILES:
        raise InvalidInputError(f"at most {files.MAX_FILES} files", errors={"files": ["too_many"]})
    for upload in uploads:  # every file is checked before any is written
        files.check(upload)
    if case_id is not None and uploads:
        files.check_case_caps(session, case_id, uploads, runtime.settings.case_files,
                              runtime.settings.case_file_bytes)  # fmt: skip
    home = runtime.settings.home
    return [files.store(session, home, u, case_id=case_id, now=now) for u in uploads]


def add_reply(
    runtime: Runtime, case_id: str, text: str, uploads: Sequence[files.Upload]
) -> CaseChange:
    """Record the buyer's reply and files on their case; then tell the plugins."""
    text = _text(text)
    if not text and not uploads:
        raise InvalidInputError("write a message or add a file", errors={"message": ["required"]})
    now = utcnow()
    with runtime.database.session() as session:
        row = session.get(CaseRow, case_id, with_for_update=True)
        case = cases.get(session, case_id)
        stored = _store_files(runtime, session, uploads, case_id, now)
        entries: list[TimelineEntry] = []
        if text:
            message = Message(new_id("msg"), Actor.BUYER, text, now)
            case.messages.append(message)
            entries.append(_entry(now, TimelineKind.MESSAGE_ADDED, "message from buyer", message))
        for file_row in stored:
            item = files.evidence_of(file_row)
            case.evidence.append(item)
            entries.append(_entry(now, TimelineKind.EVIDENCE_ADDED, "buyer added a file", item))
        case.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
        refresh_computed(case, runtime.rules)  # a request for information is answered
        case.updated_at = max(case.updated_at, now)
        assert row is not None  # cases.get found it
        cases.save_case(session, case, row)
        cases.replace_items(session, case)
        cases.add_entries(session, case_id, entries)
        row.rules_due_at = now
    change = CaseChange(case, False, tuple(entries), "buyer")
    try:
        runtime.plugins.hook.disputeflow_case_changed(change=change)
    except Exception:  # a notifier's failure never undoes a committed change
        log.exception("disputeflow_case_changed failed for case %s", case_id)
    return change


def _entry(
    at: datetime, kind: TimelineKind, summary: str, item: Message | Evidence
) -> TimelineEntry:
    return TimelineEntry(at, Actor.BUYER, kind, summary, {"external_id": item.external_id})


def request_snapshot(
    platform: str,
    found: FoundOrder,
    category: Category,
    text: str,
    evidence: Sequence[Evidence],
    lang: str,
    now: datetime,
) -> CaseSnapshot:
    """A buyer's request as a snapshot of their order's marketplace."""
    order_id = found.order.external_id or found.order.name or "order"
    buyer = found.buyer
    message = Message(f"{order_id}:request:{new_id('msg')}", Actor.BUYER, text, now)
    return CaseSnapshot(
        platform=platform,
        object_type=REQUEST_OBJECT,
        external_id=order_id,
        kind=CaseKind.RETURN,
        observed_at=now,
        status=CaseStatus.NEEDS_RESPONSE,
        category=category,
        platform_reason=str(category),
        platform_status="requested",
        amount=found.order.total,
        order=found.order,
        buyer=Party(buyer.name, buyer.email, buyer.country, lang, buyer.external_id),
        opened_at=now,
        messages=(message,) if text else (),
        evidence=tuple(evidence),
        extra={"delivered_at": to_rfc3339(found.delivered_at)} if found.delivered_at else {},
    )


def open_request(
    runtime: Runtime,
    connection_id: str,
    found: FoundOrder,
    category: Category,
    text: str,
    uploads: Sequence[files.Upload],
    lang: str,
) -> str:
    """Open (or add to) the buyer's request case of an order; its id."""
    if category not in REQUEST_CATEGORIES:
        raise InvalidInputError("choose what happened", errors={"category": ["invalid"]})
    text = _text(text)
    if not text:
        raise InvalidInputError("describe what happened", errors={"message": ["required"]})
    now = utcnow()
    with runtime.database.session() as session:
        stored = _store_files(runtime, session, uploads, None, now)
        evidence = [files.evidence_of(row) for row in stored]
        ids = [row.id for row in stored]
    with runtime.database.session() as session:
        platform = runtime.plugins.marketplace(_platform(session, connection_id)).name
    snapshot = request_snapshot(platform, found, category, text, evidence, lang, now)
    result = ingest_snapshot(
        runtime.database, runtime.plugins, connection_id, snapshot, rules=runtime.rules
    )
    assert result is not None  # a request snapshot opens its case; it is never update-only
    if ids:
        with runtime.database.session() as session:
            session.execute(
                update(EvidenceFileRow)
                .where(EvidenceFileRow.id.in_(ids))
                .values(case_id=result.case.id)
            )
    return result.case.id


def _platform(session: Session, connection_id: str) -> str:
    return connections.get_row(session, connection_id).platform
