"""Which timeline entries are steps the parties hear of, and queueing their notices.

Called from :func:`disputeflow.engine.store.cases.add_entries`, the one place every timeline
entry passes, inside the transaction that records it: a notice exists exactly when its step
was committed. Each notice has an idempotency key (case, step, occurrence, audience), and
a key seen before is skipped, so a step is never queued twice whatever replays it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.taxonomy import ActionType, Actor, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.ids import new_id
from disputeflow.engine.notices import Audience, Step
from disputeflow.engine.store.tables import ActionRow, CaseRow, NoticeRow
from disputeflow.features.handling.fairness import INFO_PARAM

# A step older than this when it is first recorded (a first sync of old cases) is history,
# not news: nobody is told of it.
MAX_AGE = timedelta(days=3)
BOTH = (Audience.BUYER, Audience.MERCHANT)
DECISIONS = frozenset(
    {ActionType.ACCEPT, ActionType.CONTEST, ActionType.DECLINE_RETURN, ActionType.REFUND}
)


@dataclass(frozen=True)
class Occurrence:
    """One step happening once: ``key`` tells this occurrence from others of the step."""

    step: Step
    key: str
    audiences: tuple[Audience, ...] = BOTH
    data: dict[str, Any] = field(default_factory=dict)


def _action_step(session: Session, case_id: str, entry: TimelineEntry) -> Occurrence | None:
    """A merchant action the platform carried out: a decision, an offer, a request for
    information."""
    action_id = entry.data.get("action_id")
    row = session.get(ActionRow, action_id) if isinstance(action_id, str) else None
    if row is None:
        return None
    params = dict(row.params)
    data = {
        "action": row.type,
        "rationale": params.get("rationale") or params.get("message"),
        "amount": params.get("amount"),
    }
    key = f"action:{row.id}"
    if row.type == ActionType.SEND_MESSAGE:
        if not params.get(INFO_PARAM):
            return None
        info = {"message": params.get("message"), "due": params.get("buyer_response_due")}
        return Occurrence(Step.INFORMATION_REQUESTED, key, data=info)
    if row.type == ActionType.APPROVE_RETURN or _partial_refund(session, case_id, row):
        return Occurrence(Step.OFFER_MADE, key, data=data)
    if row.type in DECISIONS:
        return Occurrence(Step.DECISION, key, data=data)
    return None


def _partial_refund(session: Session, case_id: str, row: ActionRow) -> bool:
    """A refund of less than the case's amount: an offer, not the decision."""
    amount = row.params.get("amount")
    case = session.get(CaseRow, case_id)
    whole = (case.document.get("amount") if case else None) or {}
    if row.type != ActionType.REFUND or not amount or not whole:
        return False
    same = amount.get("currency") == whole.get("currency")
    return same and Decimal(amount["value"]) < Decimal(whole["value"])


def occurrence(session: Session, case_id: str, entry: TimelineEntry) -> Occurrence | None:
    """The step ``entry`` stands for, if it is one."""
    kind, data, stamp = entry.kind, entry.data, to_rfc3339(entry.at)
    if kind is TimelineKind.OPENED:
        return Occurrence(Step.CASE_OPENED, "opened")
    if kind is TimelineKind.RESOLVED:
        return Occurrence(
            Step.CASE_CLOSED, f"closed:{stamp}", data={"outcome": data.get("outcome")}
        )
    if kind is TimelineKind.REFUNDED and isinstance(data.get("refunded"), dict):
        total = data["refunded"]
        key = f"refunded:{total.get('value')}{total.get('currency')}"
        return Occurrence(Step.REFUND_ISSUED, key, data={"refunded": total})
    if kind is TimelineKind.DEADLINE_APPROACHING:
        deadline = data.get("deadline") or {}
        party = deadline.get("party")
        if party not in (Actor.BUYER, Actor.MERCHANT):
            return None
        key = f"deadline:{deadline.get('kind')}:{deadline.get('due_at')}:{data.get('lead_hours')}"
        audience = (Audience(party),)
        return Occurrence(Step.DEADLINE_APPROACHING, key, audience, {"deadline": deadline})
    if kind is TimelineKind.ACTION_SUCCEEDED:
        return _action_step(session, case_id, entry)
    buyer_item = kind in (TimelineKind.MESSAGE_ADDED, TimelineKind.EVIDENCE_ADDED)
    if buyer_item and entry.actor is Actor.BUYER:
        key = f"buyer:{data.get('external_id') or stamp}"
        return Occurrence(Step.BUYER_REPLIED, key, (Audience.MERCHANT,))
    return None


def notice_key(case_id: str, found: Occurrence, audience: Audience) -> str:
    return f"{case_id}:{found.step}:{found.key}:{audience}"[:300]


def enqueue_for_entries(
    session: Session, case_id: str, entries: Iterable[TimelineEntry], *, now: datetime | None = None
) -> int:
    """Queue the notices of the steps among ``entries`` (a key seen before is skipped);
    how many were queued."""
    now = now or utcnow()
    entries = list(entries)
    opening = any(e.kind is TimelineKind.OPENED for e in entries)
    queued = 0
    for entry in entries:
        if now - entry.at > MAX_AGE:
            continue
        found = occurrence(session, case_id, entry)
        if found is None or (opening and found.step is Step.BUYER_REPLIED):
            continue  # what a buyer opens a case with is told as its opening
        for audience in found.audiences:
            queued += _insert(session, case_id, found, audience, entry, now)
    return queued


def _insert(
    session: Session,
    case_id: str,
    found: Occurrence,
    audience: Audience,
    entry: TimelineEntry,
    now: datetime,
) -> int:
    values = {
        "id": new_id("ntc"),
        "case_id": case_id,
        "step": str(found.step),
        "audience": str(audience),
        "idempotency_key": notice_key(case_id, found, audience),
        "data": {**found.data, "at": to_rfc3339(entry.at)},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "channels": {},
        "created_at": now,
        "updated_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(NoticeRow).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    session.flush()  # the case row and the action first: the notice refers to them
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
