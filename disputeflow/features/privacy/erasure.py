"""Personal data: erasure (right to be forgotten) and data requests, per connection.

Erasure keeps what the merchant needs to account for money (amounts, statuses, outcomes,
dates, the buyer's country for their statutory rights) and removes what identifies the
person: names, e-mail addresses, phones, platform customer ids, message texts, evidence
texts and links, in the case, its snapshot history and the raw deliveries that carried
them, the erasure request's own delivery included (once it is applied); the files they
uploaded and the evidence files and texts an agent added to the case's packet (rows and
files on disk); their values wherever free text names them (notes,
actions, rule runs, sent notices, :mod:`disputeflow.features.privacy.scrub`); notices still
queued for them; and an earlier data-request export of them. On SQLite the WAL is then
checkpointed and truncated. What stays is the record that it was done: reason, time, how
many cases, and which identifiers were named (not their values).

Exports of data requests expire by themselves after ``export_retention_days``
(:func:`expire_exports`, run by the worker's housekeeping).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import DataRequest, PersonalDataErasure, Subject
from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.core.values import Evidence, Party, TimelineEntry
from disputeflow.engine.ids import new_id
from disputeflow.engine.store import actions, case_search, cases, packets
from disputeflow.engine.store.db import after_commit, wipe_wal
from disputeflow.engine.store.tables import (
    CaseRow,
    CaseSnapshotRow,
    DeliveryRow,
    EvidenceFileRow,
    OrderRefundRow,
    PrivacyRequestRow,
)
from disputeflow.features.privacy.scrub import ERASED, Needles, mentions, scrub, scrub_case_rows
from disputeflow.features.transparency import files

DATA_REQUEST = "data_request"


def matches(buyer: dict[str, Any] | None, order_id: str | None, subject: Subject) -> bool:
    """Whether a case's buyer (as JSON) or order belongs to ``subject``."""
    if order_id is not None and order_id in subject.order_external_ids:
        return True
    if not buyer:
        return False
    email = (buyer.get("email") or "").lower()
    return bool(
        (subject.customer_external_id and buyer.get("external_id") == subject.customer_external_id)
        or (subject.email and email == subject.email.lower())
    )


def _subject_rows(session: Session, connection_id: str, subject: Subject) -> Iterator[CaseRow]:
    """The connection's cases of ``subject`` (locked for the erasure)."""
    query = select(CaseRow).where(CaseRow.connection_id == connection_id).with_for_update()
    for row in session.scalars(query).all():
        if matches(row.document.get("buyer"), row.order_external_id, subject):
            yield row


def _scrub_case(case: Case) -> None:
    if case.buyer is not None:
        case.buyer = Party(country=case.buyer.country, locale=case.buyer.locale)
    case.messages = [replace(m, body=ERASED) for m in case.messages]
    case.evidence = [_scrub_evidence(e) for e in case.evidence]


def _scrub_evidence(item: Evidence) -> Evidence:
    return replace(item, description=ERASED, url=None, filename=None)


def _scrub_snapshot_data(data: dict[str, Any]) -> dict[str, Any]:
    buyer = data.get("buyer")
    if buyer:
        data["buyer"] = {**dict.fromkeys(buyer), "country": buyer.get("country"),
                         "locale": buyer.get("locale")}  # fmt: skip
    data["messages"] = [{**m, "body": ERASED} for m in data.get("messages") or ()]
    data["evidence"] = [
        {**e, "description": ERASED, "url": None, "filename": None}
        for e in data.get("evidence") or ()
    ]
    return data


def _scrub_deliveries(
    session: Session, connection_id: str, needles: Needles | None, keep: str | None
) -> int:
    """Blank the raw bodies of this connection's deliveries that mention the subject by a
    whole value (all of them when ``needles`` is ``None``), and scrub their errors, except
    ``keep``: the request being processed, which :func:`_scrub_request` blanks in the same
    transaction."""
    pattern = needles.whole_values().pattern() if needles is not None else None
    scrubbed = 0
    query = select(DeliveryRow).where(DeliveryRow.connection_id == connection_id)
    for row in session.scalars(query.execution_options(yield_per=500)):
        if row.id == keep:
            continue
        body = bytes(row.body).decode("utf-8", "replace")
        if needles is None or mentions([body, row.headers], pattern):
            row.body = json.dumps({"erased": True}).encode()
            row.headers = {}
            row.last_error = scrub(row.last_error, pattern) if pattern else None
            scrubbed += 1
    return scrubbed


def _scrub_refunds(session: Session, connection_id: str, needles: Needles) -> None:
    """Scrub refund notes on the connection's orders that name the person."""
    pattern = needles.pattern()
    query = select(OrderRefundRow).where(OrderRefundRow.connection_id == connection_id)
    for row in session.scalars(query):
        if mentions(row.data, pattern):
            row.data = scrub(dict(row.data), pattern)


def _scrub_request(session: Session, keep: str | None, reason: str) -> None:
    """Blank the erasure request's own body (it names the person). It commits with the
    erasure, so a failed attempt keeps the body to be tried again."""
    row = session.get(DeliveryRow, keep) if keep else None
    if row is not None:
        row.body = json.dumps({"erased": True, "erasure": reason}).encode()


def _named(subject: Subject) -> dict[str, Any]:
    """Which identifiers an erasure named, without their values (kept as its record)."""
    return {
        "customer_external_id": ERASED if subject.customer_external_id else None,
        "email": ERASED if subject.email else None,
        "order_external_ids": [ERASED for _ in subject.order_external_ids],
    }


def _needles(session: Session, subject: Subject, rows: list[CaseRow]) -> Needles:
    """The values to scrub: those the erasure names, and the buyer of each of the cases as
    the case and every snapshot of it knew them."""
    buyers = [row.document.get("buyer") or {} for row in rows]
    ids = [row.id for row in rows]
    if ids:
        query = select(CaseSnapshotRow.data).where(CaseSnapshotRow.case_id.in_(ids))
        buyers += [data.get("buyer") or {} for data in session.scalars(query)]
    values = [subject.email, subject.customer_external_id, subject.address]
    values += [b.get(key) for b in buyers for key in ("email", "external_id")]
    names = [subject.name, *(b.get("name") for b in buyers)]
    return Needles.of(values, names, [subject.phone])


def erase(
    session: Session,
    connection_id: str,
    erasure: PersonalDataErasure,
    *,
    keep: str | None = None,
    home: Path | None = None,
) -> list[Case]:
    """Apply an erasure; ``keep`` names the delivery being processed (blanked last),
    ``home`` the data directory holding buyers' files (``None``: rows only)."""
    after_commit(session, "disputeflow_wipe_wal", lambda s: wipe_wal(s.get_bind()))  # type: ignore[arg-type]
    if erasure.everything:
        return _erase_everything(session, connection_id, erasure, keep, home)
    now = utcnow()
    rows = list(_subject_rows(session, connection_id, erasure.subject))
    needles = _needles(session, erasure.subject, rows)
    changed = [_erase_case(session, row, needles, erasure.reason, now, home) for row in rows]
    if needles:
        _scrub_deliveries(session, connection_id, needles, keep)
        _scrub_refunds(session, connection_id, needles)
        _retire_exports(session, connection_id, needles)
    _scrub_request(session, keep, erasure.reason)
    named = _named(erasure.subject)
    _record(session, connection_id, "erasure", erasure.reason, named, len(changed))
    case_search.purge(session)  # the old search texts leave the index, not just its view
    return changed


def _erase_case(
    session: Session, row: CaseRow, needles: Needles, reason: str, now: datetime,
    home: Path | None,
) -> Case:  # fmt: skip
    """Clear one case's personal data, by field and by value, and remove its buyer files."""
    case = cases.load(session, row)
    _scrub_case(case)
    entry = TimelineEntry(now, Actor.SYSTEM, TimelineKind.PERSONAL_DATA_ERASED,
                          f"personal data erased ({reason})", {})  # fmt: skip
    case.timeline = sorted([*case.timeline, entry], key=TimelineEntry.sort_key)
    case.updated_at = max(case.updated_at, now)
    cases.save_case(session, case, row)
    pattern = needles.pattern()
    row.document = scrub(dict(row.document), pattern)
    cases.replace_items(session, case)
    for snapshot_row in session.scalars(
        select(CaseSnapshotRow).where(CaseSnapshotRow.case_id == case.id)
    ):
        snapshot_row.data = _scrub_snapshot_data(dict(snapshot_row.data))
    scrub_case_rows(session, case.id, needles)
    _scrub_packet(session, case.id)
    _remove_files(session, [case.id], home)
    cases.add_entries(session, case.id, [entry])
    return case


def _scrub_packet(session: Session, case_id: str) -> None:
    """Drop an agent's evidence texts and statement (they quote the buyer); who submitted
    and when stay. The packet's files go with the case's other files, and the copies the
    contest actions carried to the platform are blanked."""
    row = packets.get(session, case_id)
    if row is not None:
        row.edits = {"items": {}, "excluded": list(row.edits.get("excluded") or ()), "files": []}
        row.statement = ERASED if row.statement else ""
    for action in actions.list_for_case(session, case_id):  # the files a contest carried
        if action.params.get("files"):
            sent = [{**f, "data": ERASED} for f in action.params["files"]]
            action.params = {**action.params, "files": sent}


def _remove_files(session: Session, case_ids: list[str], home: Path | None) -> None:
    """Remove the buyer files of these cases: rows now, files on disk after the commit."""
    if home is None:
        session.execute(delete(EvidenceFileRow).where(EvidenceFileRow.case_id.in_(case_ids)))
        return
    query = select(EvidenceFileRow).where(EvidenceFileRow.case_id.in_(case_ids))
    files.remove(session, home, list(session.scalars(query)))


def _erase_everything(
    session: Session,
    connection_id: str,
    erasure: PersonalDataErasure,
    keep: str | None,
    home: Path | None,
) -> list[Case]:
    case_ids = list(
        session.scalars(select(CaseRow.id).where(CaseRow.connection_id == connection_id))
    )
    _remove_files(session, case_ids, home)
    removed = session.execute(delete(CaseRow).where(CaseRow.connection_id == connection_id))
    session.execute(delete(OrderRefundRow).where(OrderRefundRow.connection_id == connection_id))
    _scrub_deliveries(session, connection_id, None, keep)
    _retire_exports(session, connection_id, None)
    _scrub_request(session, keep, erasure.reason)
    count = int(removed.rowcount or 0)  # type: ignore[attr-defined]
    named = _named(erasure.subject)
    _record(session, connection_id, "erasure", erasure.reason, named, count)
    case_search.purge(session)
    return []


def _retire_exports(session: Session, connection_id: str, needles: Needles | None) -> int:
    """Remove the exports (and subjects) of earlier data requests that name the person (all
    of the connection's with ``needles`` ``None``); the record that a request came stays."""
    pattern = needles.pattern() if needles is not None else None
    query = select(PrivacyRequestRow).where(
        PrivacyRequestRow.connection_id == connection_id,
        PrivacyRequestRow.kind == DATA_REQUEST,
    )
    retired = 0
    for row in session.scalars(query):
        if needles is None or mentions([row.subject, row.export], pattern):
            _retire(row, "erased")
            retired += 1
    return retired


def _retire(row: PrivacyRequestRow, why: str) -> None:
    row.subject = {key: ERASED if value else value for key, value in row.subject.items()}
    row.export = {"removed": why}


def expire_exports(session: Session, now: datetime, retention: timedelta) -> int:
    """Remove the exports of data requests older than ``retention``; how many."""
    query = select(PrivacyRequestRow).where(
        PrivacyRequestRow.kind == DATA_REQUEST, PrivacyRequestRow.created_at < now - retention
    )
    expired = 0
    for row in session.scalars(query):
        if row.export is None or "removed" not in row.export:
            _retire(row, "expired")
            expired += 1
    return expired


def export(session: Session, connection_id: str, request: DataRequest) -> str:
    """Record what is held about the subject (their cases, as the API shows them)."""
    rows = _subject_rows(session, connection_id, request.subject)
    held = [cases.load(session, row).to_dict() for row in rows]
    return _record(
        session, connection_id, DATA_REQUEST, request.reason, request.subject.to_dict(),
        len(held), {"cases": held},
    )  # fmt: skip


def _record(
    session: Session,
    connection_id: str,
    kind: str,
    reason: str,
    subject: dict[str, Any],
    affected: int,
    exported: dict[str, Any] | None = None,
) -> str:
    row = PrivacyRequestRow(
        id=new_id("prv"),
        connection_id=connection_id,
        kind=kind,
        reason=reason,
        subject=subject,
        cases_affected=affected,
        export=exported,
        created_at=utcnow(),
    )
    session.add(row)
    return row.id
