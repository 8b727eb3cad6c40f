"""What a merchant asks for (:class:`ActionRequest`) and what the platform answered
(:class:`ActionResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType
from disputeflow.core.values import Evidence

# Actions that decide a case for one side: each records why, and on what evidence.
RESOLUTIONS = frozenset(
    {
        ActionType.ACCEPT,
        ActionType.CONTEST,
        ActionType.APPROVE_RETURN,
        ActionType.DECLINE_RETURN,
        ActionType.REFUND,
    }
)


@dataclass(frozen=True)
class ActionRequest:
    """One action on one case. ``idempotency_key`` travels to the platform where it takes one,
    so a retried refund is never issued twice."""

    type: ActionType
    case_id: str
    idempotency_key: str
    amount: Money | None = None  # refund
    message: str | None = None  # send_message, add_note, decline_return reason
    evidence: tuple[Evidence, ...] = ()  # contest
    params: dict[str, Any] = field(default_factory=dict)  # marketplace-specific extras
    requested_by: str | None = None  # token name or user; "rule:<name>" for automation
    rationale: str | None = None  # why the merchant decides so (a resolution records it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ActionType(self.type))
        object.__setattr__(self, "evidence", tuple(self.evidence))


@dataclass(frozen=True)
class ActionResult:
    """The platform's answer to an action.

    ``external_id`` is the platform's id for what was created (a refund id, say);
    ``snapshot`` is the case as the platform now reports it, when the answer includes it,
    and is merged like any other snapshot.
    """

    external_id: str | None = None
    message: str = ""
    refunded: Money | None = None
    snapshot: CaseSnapshot | None = None
    data: dict[str, Any] = field(default_factory=dict)
