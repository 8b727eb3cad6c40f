"""Fairness in the flow: the checks every action passes, whoever (a person or a rule) asks.

* A resolution records its rationale and the evidence it rests on (the merchant can make
  the rationale required in the rules file).
* A buyer asked for information gets at least the response window the merchant had, and
  the return is not declined while that window is open and unanswered.
* A decline of a return that the buyer's statutory rights grant (an EU buyer's return
  within 14 days, say) is refused with the law and its source, unless the merchant names
  one of the law's exceptions (with a rationale).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from disputeflow.core.actions import RESOLUTIONS
from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.taxonomy import ActionType, DeadlineKind
from disputeflow.features.handling.rights import rights_for
from disputeflow.features.handling.rules import FairnessSettings

EXCEPTION_PARAM = "statutory_exception"
INFO_PARAM = "request_info"


def check(
    case: Case,
    action: ActionType,
    *,
    rationale: str | None,
    evidence_ids: Iterable[str],
    params: Mapping[str, Any],
    settings: FairnessSettings,
    now: datetime,
) -> None:
    """Refuse what fairness does not allow: 422 for missing input, 409 for a decline the
    buyer's window or rights forbid."""
    if settings.require_rationale and action in RESOLUTIONS and not (rationale or "").strip():
        raise InvalidInputError(
            f"{action} decides the case: give the rationale for it",
            errors={"rationale": ["required"]},
        )
    known = {item.external_id for item in case.evidence}
    missing = sorted(set(evidence_ids) - known)
    if missing:
        raise InvalidInputError(
            f"no evidence {', '.join(missing)} on this case",
            errors={"evidence_ids": [f"unknown: {', '.join(missing)}"]},
        )
    if action == ActionType.DECLINE_RETURN:
        _check_buyer_window(case, now)
        refusal = statutory_refusal(case, params, rationale)
        if refusal:
            raise ActionNotAllowedError(refusal)


def _check_buyer_window(case: Case, now: datetime) -> None:
    waiting = [
        d for d in case.deadlines if d.kind is DeadlineKind.BUYER_RESPONSE and d.due_at > now
    ]
    if waiting:
        until = to_rfc3339(min(d.due_at for d in waiting))
        raise ActionNotAllowedError(
            f"decline_return refused: you asked the buyer for information and they have "
            f"until {until} to answer; decide when they answer or after that"
        )


def statutory_note(case: Case, action: ActionType) -> str | None:
    """For a decline whose timing against the buyer's statutory window is unknown (no
    delivery date, and counted from the order the window may have passed): a note saying
    so, kept with the decline on the timeline."""
    if action != ActionType.DECLINE_RETURN:
        return None
    policy = case.extra.get("policy") or {}
    rights = rights_for(policy.get("jurisdiction"))
    days = policy.get("statutory_window_days")
    if rights is None or days is None or policy.get("within_statutory_window") is not None:
        return None
    return (
        f"not known whether the buyer in {rights.country} is still inside the statutory "
        f"{days} days (no delivery date): the decline relies on it"
    )


def statutory_refusal(case: Case, params: Mapping[str, Any], rationale: str | None) -> str | None:
    """Why a decline of this return would take away the buyer's statutory right, or
    ``None`` when it would not (no such right, outside its window, or a named exception)."""
    policy = case.extra.get("policy") or {}
    rights = rights_for(policy.get("jurisdiction"))
    if rights is None or policy.get("within_statutory_window") is not True:
        return None
    exception = params.get(EXCEPTION_PARAM)
    choices = ", ".join(rights.exceptions) or "none"
    if exception is not None and exception not in rights.exceptions:
        return (
            f"decline_return refused: {exception!r} is not an exception of {rights.law} "
            f"(exceptions: {choices})"
        )
    if exception is not None:
        if (rationale or "").strip():
            return None
        return f"decline_return refused: naming the exception {exception!r} needs a rationale"
    basis = policy.get("clock_basis") or "delivery"
    days = f"{policy.get('statutory_window_days')} days"
    if policy.get("statutory_business_days") is not None:
        days = f"{policy['statutory_business_days']} business days ({days})"
    return (
        f"decline_return refused: a buyer in {rights.name} ({rights.country}) may withdraw "
        f"from a distance purchase within {days} without giving a reason ({rights.law}); "
        f"this return was asked for {policy.get('days_elapsed')} days after the {basis}, "
        f"inside that window. Approve it, or name the exception that applies in "
        f"params.{EXCEPTION_PARAM} ({choices}) with a rationale. Source: {rights.sources[0]}"
    )
