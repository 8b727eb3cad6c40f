"""Case: the one aggregate every platform object becomes (DESIGN.md section 4)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from disputeflow.core.clock import parse_rfc3339, to_rfc3339
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import (
    ActionType,
    Actor,
    CaseKind,
    CaseStatus,
    Category,
    Outcome,
    Stage,
)
from disputeflow.core.values import (
    Deadline,
    Evidence,
    Message,
    Order,
    Party,
    TimelineEntry,
    maybe,
)

# Who must act for each status: the party whose deadline becomes ``due_at``.
ACTING_PARTY: dict[CaseStatus, Actor] = {
    CaseStatus.NEEDS_RESPONSE: Actor.MERCHANT,
    CaseStatus.AWAITING_BUYER: Actor.BUYER,
    CaseStatus.UNDER_REVIEW: Actor.PLATFORM,
}


@dataclass(frozen=True, slots=True)
class CaseLink:
    """Another case of the same order (kept by the service, never by a plugin): which, why
    (the identifier that matched, or the agent who linked them and why: ``by``), since when."""

    case_id: str
    reason: str
    at: datetime
    by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"at": to_rfc3339(self.at)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseLink:
        return cls(data["case_id"], data["reason"], parse_rfc3339(data["at"]), data.get("by"))


@dataclass
class Case:
    """A dispute, return, inquiry or claim, whatever platform it came from.

    Platform fields follow the newest snapshot that states them; ``timeline``, ``evidence``
    and ``messages`` accumulate. ``allowed_actions`` is filled by the service that knows the
    marketplace's capabilities (see :func:`disputeflow.core.flow.allowed_actions`).
    """

    id: str
    connection_id: str
    platform: str
    object_type: str
    external_id: str
    kind: CaseKind
    status: CaseStatus
    category: Category
    opened_at: datetime
    updated_at: datetime
    stage: Stage | None = None
    outcome: Outcome | None = None
    platform_reason: str | None = None
    network_reason_code: str | None = None
    platform_status: str | None = None
    amount: Money | None = None
    refunded: Money | None = None
    order: Order | None = None
    buyer: Party | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    allowed_actions: list[ActionType] = field(default_factory=list)
    queue: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    links: list[CaseLink] = field(default_factory=list)

    @property
    def due_at(self) -> datetime | None:
        """The earliest deadline of the party that must act now; none once resolved."""
        party = ACTING_PARTY.get(self.status)
        dues = [d.due_at for d in self.deadlines if d.party == party]
        return min(dues) if dues else None

    @property
    def must_act(self) -> Actor | None:
        """Who the case waits on."""
        return ACTING_PARTY.get(self.status)

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON form of a case."""

        return {
            "id": self.id,
            "connection_id": self.connection_id,
            "platform": self.platform,
            "object_type": self.object_type,
            "external_id": self.external_id,
            "kind": str(self.kind),
            "stage": maybe(str, self.stage),
            "category": str(self.category),
            "platform_reason": self.platform_reason,
            "network_reason_code": self.network_reason_code,
            "platform_status": self.platform_status,
            "status": str(self.status),
            "outcome": maybe(str, self.outcome),
            "must_act": maybe(str, self.must_act),
            "amount": maybe(Money.to_dict, self.amount),
            "refunded": maybe(Money.to_dict, self.refunded),
            "order": maybe(Order.to_dict, self.order),
            "buyer": maybe(Party.to_dict, self.buyer),
            "due_at": maybe(to_rfc3339, self.due_at),
            "deadlines": [d.to_dict() for d in self.deadlines],
            "opened_at": to_rfc3339(self.opened_at),
            "updated_at": to_rfc3339(self.updated_at),
            "allowed_actions": [str(a) for a in self.allowed_actions],
            "queue": self.queue,
            "evidence": [e.to_dict() for e in self.evidence],
            "messages": [m.to_dict() for m in self.messages],
            "timeline": [t.to_dict() for t in self.timeline],
            "extra": self.extra,
            "links": [link.to_dict() for link in self.links],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        """Parse the JSON form written by :meth:`to_dict` (derived keys are ignored)."""

        return cls(
            id=data["id"],
            connection_id=data["connection_id"],
            platform=data["platform"],
            object_type=data["object_type"],
            external_id=data["external_id"],
            kind=CaseKind(data["kind"]),
            status=CaseStatus(data["status"]),
            category=Category(data["category"]),
            opened_at=parse_rfc3339(data["opened_at"]),
            updated_at=parse_rfc3339(data["updated_at"]),
            stage=maybe(Stage, data.get("stage")),
            outcome=maybe(Outcome, data.get("outcome")),
            platform_reason=data.get("platform_reason"),
            network_reason_code=data.get("network_reason_code"),
            platform_status=data.get("platform_status"),
            amount=maybe(Money.from_dict, data.get("amount")),
            refunded=maybe(Money.from_dict, data.get("refunded")),
            order=maybe(Order.from_dict, data.get("order")),
            buyer=maybe(Party.from_dict, data.get("buyer")),
            deadlines=[Deadline.from_dict(d) for d in data.get("deadlines") or ()],
            evidence=[Evidence.from_dict(e) for e in data.get("evidence") or ()],
            messages=[Message.from_dict(m) for m in data.get("messages") or ()],
            timeline=[TimelineEntry.from_dict(t) for t in data.get("timeline") or ()],
            allowed_actions=[ActionType(a) for a in data.get("allowed_actions") or ()],
            queue=data.get("queue"),
            extra=dict(data.get("extra") or {}),
            links=[CaseLink.from_dict(link) for link in data.get("links") or ()],
        )
