"""Personal data: erasure (right to be forgotten) and data requests, per connection.

Erasure keeps what the merchant needs to account for money (amounts, statuses, outcomes,
dates, the buyer's country for their statutory rights) and removes what identifies the
person: names, e-mail addresses, platform customer ids, message texts, evidence texts and
links, in the case, its snapshot history and the raw deliveries that carried them, the
erasure request's own delivery included (once it is applied). What stays is the record
that it was done: reason, time, how many cases, and which identifiers were named (not
their values).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import DataRequest, PersonalDataErasure, Subject
from disputeflow.core.ids import new_id
from disputeflow.core.store import cases
from disputeflow.core.store.tables import (
    CaseRow,
    CaseSnapshotRow,
    DeliveryRow,
    OrderRefundRow,
    PrivacyRequestRow,
)
from disputeflow.core.taxonomy import Actor, TimelineKind
from disputeflow.core.values import Evidence, Party, TimelineEntry

ERASED = "[erased]"


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
    session: Session, connection_id: str, needles: list[bytes], keep: str | None
) -> int:
    """Blank the raw bodies of this connection's deliveries that mention the subject (all of
    them when ``needles`` is empty), except ``keep``: the request being processed, which
    :func:`_scrub_request` blanks in the same transaction."""
    scrubbed = 0
    query = select(DeliveryRow).where(DeliveryRow.connection_id == connection_id)
    for row in session.scalars(query.execution_options(yield_per=500)):
        if row.id == keep:
            continue
        body = bytes(row.body).lower()
        if not needles or any(needle.lower() in body for needle in needles if needle):
            row.body = json.dumps({"erased": True}).encode()
            row.headers = {}
            scrubbed += 1
    return scrubbed


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


def erase(
    session: Session, connection_id: str, erasure: PersonalDataErasure, *, keep: str | None = None
) -> list[Case]:
    """Apply an erasure; ``keep`` names the delivery being processed (left intact)."""
    if erasure.everything:
        return _erase_everything(session, connection_id, erasure, keep)
    now = utcnow()
    changed = []
    for row in _subject_rows(session, connection_id, erasure.subject):
        case = cases.load(session, row)
        _scrub_case(case)
        entry = TimelineEntry(now, Actor.SYSTEM, TimelineKind.PERSONAL_DATA_ERASED,
                              f"personal data erased ({erasure.reason})", {})  # fmt: skip
        case.timeline = sorted([*case.timeline, entry], key=TimelineEntry.sort_key)
        case.updated_at = max(case.updated_at, now)
        cases.save_case(session, case, row)
        cases.replace_items(session, case)
        cases.add_entries(session, case.id, [entry])
        for snapshot_row in session.scalars(
            select(CaseSnapshotRow).where(CaseSnapshotRow.case_id == case.id)
        ):
            snapshot_row.data = _scrub_snapshot_data(dict(snapshot_row.data))
        changed.append(case)
    subject = erasure.subject
    needles = [v.encode() for v in (subject.email, subject.customer_external_id) if v]
    if needles:
        _scrub_deliveries(session, connection_id, needles, keep)
    _scrub_request(session, keep, erasure.reason)
    _record(session, connection_id, "erasure", erasure.reason, _named(subject), len(changed))
    return changed


def _erase_everything(
    session: Session, connection_id: str, erasure: PersonalDataErasure, keep: str | None
) -> list[Case]:
    removed = session.execute(delete(CaseRow).where(CaseRow.connection_id == connection_id))
    session.execute(delete(OrderRefundRow).where(OrderRefundRow.connection_id == connection_id))
    _scrub_deliveries(session, connection_id, [], keep)
    _scrub_request(session, keep, erasure.reason)
    count = int(removed.rowcount or 0)  # type: ignore[attr-defined]
    named = _named(erasure.subject)
    _record(session, connection_id, "erasure", erasure.reason, named, count)
    return []


def export(session: Session, connection_id: str, request: DataRequest) -> str:
    """Record what is held about the subject (their cases, as the API shows them)."""
    rows = _subject_rows(session, connection_id, request.subject)
    held = [cases.load(session, row).to_dict() for row in rows]
    return _record(
        session, connection_id, "data_request", request.reason, request.subject.to_dict(),
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
