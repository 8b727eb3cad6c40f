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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.actions import ActionRequest
from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.ids import new_id
from disputeflow.core.money import Money
from disputeflow.core.runtime import Runtime
from disputeflow.core.store import actions, cases
from disputeflow.core.store.tables import ActionRow, CaseRow
from disputeflow.core.taxonomy import ActionType, Actor, TimelineKind
from disputeflow.core.values import Evidence, TimelineEntry

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
    requested_by: str | None = None


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
        session.get(CaseRow, case_id, with_for_update=True)  # one request per case at a time
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
        _check(runtime, session, case, wanted)
        request = _as_request(case, wanted, wanted.idempotency_key or new_id("idem"))
        veto = runtime.plugins.hook.disputeflow_before_action(case=case, action=request)
        if veto:
            raise ActionNotAllowedError(f"{wanted.type} refused: {veto}")
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
        entry = TimelineEntry(
            now,
            Actor.MERCHANT,
            TimelineKind.NOTE if local else TimelineKind.ACTION_REQUESTED,
            wanted.message if local and wanted.message else f"{wanted.type} requested",
            {"action_id": row.id, **_params(wanted)},
        )
        append_entry(session, case.id, entry)
        return actions.describe(row), True


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
        params=params,
        requested_by=row.requested_by,
    )


def append_entry(session: Session, case_id: str, entry: TimelineEntry) -> None:
    """Add a local timeline entry and move the case's ``updated_at`` with it."""
    cases.add_entries(session, case_id, [entry])
    row = session.get(CaseRow, case_id)
    if row is not None and entry.at > row.updated_at:
        row.updated_at = entry.at
        row.document = {**row.document, "updated_at": entry.at.isoformat().replace("+00:00", "Z")}
