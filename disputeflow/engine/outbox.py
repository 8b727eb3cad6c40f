"""Merchant actions through an outbox: checked, stored with an idempotency key, then run.

Requesting an action checks it against the case's ``allowed_actions`` and the
``disputeflow_before_action`` hook, and stores it. A worker claims it with a lease, calls
the platform *outside* any transaction (so SQLite writers never wait on a platform), and
records the result. A worker that dies between the platform call and the commit lets its
lease expire; the retry carries the same idempotency key, so the platform (or the plugin's
check of the platform's own record) never issues a refund twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.actions import RESOLUTIONS, ActionRequest
from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, Actor, TimelineKind
from disputeflow.core.values import Evidence, TimelineEntry
from disputeflow.engine import order_total, wakeup
from disputeflow.engine.ids import new_id
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, cases
from disputeflow.engine.store.tables import ActionRow, CaseRow

log = logging.getLogger(__name__)

NEEDS_MESSAGE = frozenset({ActionType.SEND_MESSAGE, ActionType.ADD_NOTE})


@dataclass(frozen=True)
class ActionInput:
    """What a client asks for; validated against the case before anything is stored."""

    type: ActionType
    amount: Money | None = None
    message: str | None = None
    evidence: tuple[Evidence, ...] = ()  # contest: what the merchant submits
    params: dict[str, Any] | None = None
    idempotency_key: str | None = None
    requested_by: str | None = None  # a token's name, or "rule:<name>" for automation
    rationale: str | None = None  # why: every resolution records it on the timeline
    evidence_ids: tuple[str, ...] = ()  # the case's evidence the decision rests on


def request_action(
    runtime: Runtime, case_id: str, wanted: ActionInput
) -> tuple[dict[str, Any], bool]:
    """Check and store an action; ``(action, created)``. A repeated key returns the original."""
    now = utcnow()
    with runtime.database.session() as session:
        if wanted.idempotency_key:
            existing = actions.find_by_key(session, wanted.idempotency_key)
            if existing is not None:
                return _same_request(existing, case_id, wanted), False
        order_total.lock_group(session, case_id)  # one request per order's cases at a time
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        wanted = _prepared(runtime, case, wanted, now)
        request, notes = _vet(runtime, session, case, wanted, now)
        local = wanted.type == ActionType.ADD_NOTE
        row = actions.create(
            session,
            case_id=case.id,
            type_=str(wanted.type),
            idempotency_key=request.idempotency_key,
            params=_params(wanted),
            requested_by=wanted.requested_by,
            now=now,
            status=actions.SUCCEEDED if local else actions.PENDING,
        )
        entry = _entry(wanted, row.id, now, "; ".join(notes) or None)
        append_entry(session, case.id, entry)
        _refresh_deadlines(runtime, session, case, entry)
        if not local:
            wakeup.announce(session)  # idle workers run it at once (PostgreSQL)
        return actions.describe(row), True


def check_action(runtime: Runtime, case_id: str, wanted: ActionInput) -> None:
    """Every check :func:`request_action` makes, storing nothing (automation dry runs)."""
    now = utcnow()
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        _vet(runtime, session, case, _prepared(runtime, case, wanted, now), now)


def _vet(
    runtime: Runtime, session: Session, case: Case, wanted: ActionInput, now: datetime
) -> tuple[ActionRequest, list[str]]:
    """The flow's checks, the plugins' checks (the built-in fairness), then the plugins'
    veto; the request to store, and the notes to record beside it."""
    _check(runtime, session, case, wanted)
    notes = runtime.plugins.hook.disputeflow_check_action(
        case=case,
        action_type=wanted.type,
        params=wanted.params or {},
        rationale=_rationale(wanted),
        evidence_ids=tuple(wanted.evidence_ids),
        rules=runtime.rules,
        now=now,
    )
    request = _as_request(case, wanted, wanted.idempotency_key or new_id("idem"))
    veto = runtime.plugins.hook.disputeflow_before_action(case=case, action=request)
    if veto:
        raise ActionNotAllowedError(f"{wanted.type} refused: {veto}")
    return request, [note for note in notes if note]


def _prepared(runtime: Runtime, case: Case, wanted: ActionInput, now: datetime) -> ActionInput:
    """The parameters the plugins add (a request for information: the buyer's window to
    answer, from the built-in handling)."""
    params = dict(wanted.params or {})
    added = runtime.plugins.hook.disputeflow_prepare_action(
        case=case, action_type=wanted.type, params=params, rules=runtime.rules, now=now
    )
    extra = {key: value for found in added for key, value in (found or {}).items()}
    return replace(wanted, params={**params, **extra}) if extra else wanted


def _rationale(wanted: ActionInput) -> str | None:
    """Why: the rationale given, else the message (a decline's reason, a contest's text)."""
    text = (wanted.rationale or wanted.message or "").strip()
    return text or None


def _entry(
    wanted: ActionInput, action_id: str, now: datetime, note: str | None = None
) -> TimelineEntry:
    """The request on the timeline: who asked (a rule is named), and for a resolution why,
    and on what evidence."""
    if wanted.type == ActionType.ADD_NOTE:
        summary = wanted.message or "note"
        return TimelineEntry(
            now,
            Actor.MERCHANT,
            TimelineKind.NOTE,
            summary,
            {"action_id": action_id, **_params(wanted)},
        )
    by = wanted.requested_by or "merchant"
    actor = Actor.SYSTEM if by.startswith("rule:") else Actor.MERCHANT
    data: dict[str, Any] = {"action_id": action_id, "action": str(wanted.type), **_params(wanted)}
    data["requested_by"] = wanted.requested_by
    summary = f"{wanted.type} requested by {by}"
    if wanted.type in RESOLUTIONS:
        rationale = _rationale(wanted)
        summary += f": {rationale}" if rationale else " (no rationale given)"
        data["rationale"] = rationale
        data["evidence_ids"] = list(wanted.evidence_ids)
    if note:
        summary += f" ({note})"
        data["statutory_note"] = note
    return TimelineEntry(now, actor, TimelineKind.ACTION_REQUESTED, summary, data)


def _refresh_deadlines(
    runtime: Runtime, session: Session, case: Case, entry: TimelineEntry
) -> None:
    """What follows from the entry (``disputeflow_refresh_case``: a first response meets
    the SLA, a request for information opens the buyer's window), saved."""
    case.timeline = sorted([*case.timeline, entry], key=TimelineEntry.sort_key)
    changed = runtime.plugins.hook.disputeflow_refresh_case(case=case, rules=runtime.rules)
    if any(changed):
        case.updated_at = max(case.updated_at, entry.at)
        row = session.get(CaseRow, case.id)
        assert row is not None  # locked above
        cases.save_case(session, case, row)


def _same_request(existing: ActionRow, case_id: str, wanted: ActionInput) -> dict[str, Any]:
    if existing.case_id != case_id or existing.type != wanted.type:
        raise InvalidInputError(
            "this Idempotency-Key was already used for another action",
            errors={"idempotency_key": ["already used"]},
        )
    return actions.describe(existing)


def _check(runtime: Runtime, session: Session, case: Case, wanted: ActionInput) -> None:
    if wanted.type not in case.allowed_actions:
        allowed = ", ".join(str(a) for a in case.allowed_actions) or "none"
        raise ActionNotAllowedError(
            f"{wanted.type} is not allowed on this {case.kind} case while it is "
            f"{case.status} (allowed: {allowed})"
        )
    if wanted.type in NEEDS_MESSAGE and not (wanted.message or "").strip():
        raise InvalidInputError(f"{wanted.type} needs a message", errors={"message": ["required"]})
    if wanted.type == ActionType.REFUND:
        _check_refund(runtime, case, wanted.amount, _asked_refunds(session, case.id))
    order_total.check(session, case, wanted.type, wanted.amount)  # with the linked cases


def _asked_refunds(session: Session, case_id: str) -> tuple[list[Money], list[Money]]:
    """The amounts of this case's refund actions: ``(queued or running, succeeded)``."""
    queued: list[Money] = []
    done: list[Money] = []
    for row in actions.list_for_case(session, case_id):
        if row.type == ActionType.REFUND and row.params.get("amount"):
            if row.status in (actions.PENDING, actions.RUNNING):
                queued.append(Money.from_dict(row.params["amount"]))
            elif row.status == actions.SUCCEEDED:
                done.append(Money.from_dict(row.params["amount"]))
    return queued, done


def _refundable(case: Case, queued: list[Money], done: list[Money]) -> Money:
    """What is left to refund: the platform's figure may not show our refunds yet, and
    refunds still queued or running will take their share."""
    assert case.amount is not None
    zero = Money.zero(case.amount.currency)
    refunded = max(case.refunded or zero, sum(done, zero))
    return case.amount - refunded - sum(queued, zero)


def _check_refund(
    runtime: Runtime, case: Case, amount: Money | None, asked: tuple[list[Money], list[Money]]
) -> None:
    if amount is None:
        raise InvalidInputError("a refund needs an amount", errors={"amount": ["required"]})
    if amount.value <= Decimal(0):
        raise InvalidInputError("a refund must be positive", errors={"amount": ["must be > 0"]})
    if case.amount is None:
        return
    if amount.currency != case.amount.currency:
        raise InvalidInputError(
            f"the case is in {case.amount.currency}, not {amount.currency}",
            errors={"amount": ["wrong currency"]},
        )
    left = _refundable(case, *asked)
    if amount > left:
        raise InvalidInputError(
            f"at most {left} can still be refunded", errors={"amount": ["exceeds refundable"]}
        )
    capabilities = runtime.plugins.marketplace(case.platform).capabilities
    if amount != left and not capabilities.partial_refunds:
        raise InvalidInputError(
            f"{case.platform} refunds only the whole remaining {left}",
            errors={"amount": ["partial refunds unsupported"]},
        )


def _params(wanted: ActionInput) -> dict[str, Any]:
    params: dict[str, Any] = dict(wanted.params or {})
    if wanted.amount is not None:
        params["amount"] = wanted.amount.to_dict()
    if wanted.message:
        params["message"] = wanted.message
    if wanted.evidence:
        params["evidence"] = [item.to_dict() for item in wanted.evidence]
    if wanted.rationale:
        params["rationale"] = wanted.rationale
    if wanted.evidence_ids:
        params["evidence_ids"] = list(wanted.evidence_ids)
    return params


def _as_request(case: Case, wanted: ActionInput, key: str) -> ActionRequest:
    return ActionRequest(
        type=wanted.type,
        case_id=case.id,
        idempotency_key=key,
        amount=wanted.amount,
        message=wanted.message,
        evidence=wanted.evidence,
        params=dict(wanted.params or {}),
        requested_by=wanted.requested_by,
        rationale=_rationale(wanted),
    )


def request_from_row(row: ActionRow) -> ActionRequest:
    """Rebuild the request a stored action stands for."""
    params = dict(row.params)
    amount = params.pop("amount", None)
    return ActionRequest(
        type=ActionType(row.type),
        case_id=row.case_id,
        idempotency_key=row.idempotency_key,
        amount=Money.from_dict(amount) if amount else None,
        message=params.pop("message", None),
        evidence=tuple(Evidence.from_dict(item) for item in params.pop("evidence", ())),
        rationale=params.pop("rationale", None),
        params={k: v for k, v in params.items() if k != "evidence_ids"},
        requested_by=row.requested_by,
    )


def append_entry(session: Session, case_id: str, entry: TimelineEntry) -> None:
    """Add a local timeline entry and move the case's ``updated_at`` with it."""
    cases.add_entries(session, case_id, [entry])
    row = session.get(CaseRow, case_id)
    if row is not None and entry.at > row.updated_at:
        row.updated_at = entry.at
        row.document = {**row.document, "updated_at": entry.at.isoformat().replace("+00:00", "Z")}
