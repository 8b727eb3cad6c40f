"""CaseSnapshot: what a marketplace plugin makes of one platform object at one moment.

A snapshot is the platform's view, not a command. ``None`` in a field means "this object
does not say" (or "the value was unknown"), so the case keeps what it knew. The core orders
snapshots by the platform's own clock (``observed_at``, then ``revision``), so an older
snapshot never moves a case backwards and duplicates change nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from disputeflow.core.clock import ensure_utc, parse_rfc3339, to_rfc3339
from disputeflow.core.errors import SnapshotError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import CaseKind, CaseStatus, Category, Outcome, Stage
from disputeflow.core.values import (
    COMPUTED_SOURCE,
    Deadline,
    Evidence,
    Message,
    Order,
    Party,
    maybe,
)

OrderKey = tuple[datetime, int, str]


@dataclass(frozen=True)
class CaseSnapshot:
    """The state of one platform object (a dispute, a return, a claim) as the platform saw it.

    ``external_id`` is the platform's id as a string; ``object_type`` names the platform's
    object ("dispute", "return", ...) so that two objects of different types that share a
    number stay two cases. ``deadlines`` of ``None`` keeps the case's platform deadlines;
    an empty tuple clears them. ``extra`` keeps platform values worth showing as they are.

    ``update_only`` marks a snapshot that may change a case but never open one: a platform
    message that closes or moves an object without the fields that make a case (a refunded
    order that no longer says it was a return). The core merges it into the case of the same
    ``(connection, object_type, external_id)`` and drops it, counted, when there is none.
    """

    platform: str
    object_type: str
    external_id: str
    kind: CaseKind
    observed_at: datetime
    revision: int | None = None
    status: CaseStatus | None = None
    outcome: Outcome | None = None
    stage: Stage | None = None
    category: Category | None = None
    platform_reason: str | None = None
    network_reason_code: str | None = None
    platform_status: str | None = None
    amount: Money | None = None
    refunded: Money | None = None
    order: Order | None = None
    buyer: Party | None = None
    opened_at: datetime | None = None
    deadlines: tuple[Deadline, ...] | None = None
    evidence: tuple[Evidence, ...] = ()
    messages: tuple[Message, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    update_only: bool = False

    def __post_init__(self) -> None:
        for name in ("platform", "object_type", "external_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise SnapshotError(f"{name} must be a non-empty string, got {value!r}")
        set_ = object.__setattr__
        set_(self, "kind", CaseKind(self.kind))
        set_(self, "observed_at", ensure_utc(self.observed_at, field="observed_at"))
        if self.opened_at is not None:
            set_(self, "opened_at", ensure_utc(self.opened_at, field="opened_at"))
        for name, enum in (
            ("status", CaseStatus),
            ("outcome", Outcome),
            ("stage", Stage),
            ("category", Category),
        ):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, enum(value))
        if self.outcome is not None and self.status not in (CaseStatus.RESOLVED, None):
            raise SnapshotError(f"outcome {self.outcome} given for a case that is {self.status}")
        _check_types(self)
        if (
            self.amount is not None
            and self.refunded is not None
            and self.amount.currency != self.refunded.currency
        ):
            raise SnapshotError("amount and refunded must share one currency")
        if self.deadlines is not None:
            set_(self, "deadlines", tuple(self.deadlines))
            if any(deadline.computed for deadline in self.deadlines):
                raise SnapshotError(
                    f"deadline sources starting with {COMPUTED_SOURCE!r} are reserved for "
                    "the deadlines disputeflow computes itself"
                )
        set_(self, "evidence", tuple(self.evidence))
        set_(self, "messages", tuple(self.messages))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; also what :attr:`fingerprint` hashes.

        ``update_only`` appears only when set, so the fingerprints of ordinary snapshots
        (and of every snapshot stored before the flag existed) stay as they were.
        """

        data: dict[str, Any] = {
            "platform": self.platform,
            "object_type": self.object_type,
            "external_id": self.external_id,
            "kind": str(self.kind),
            "observed_at": to_rfc3339(self.observed_at),
            "revision": self.revision,
            "status": maybe(str, self.status),
            "outcome": maybe(str, self.outcome),
            "stage": maybe(str, self.stage),
            "category": maybe(str, self.category),
            "platform_reason": self.platform_reason,
            "network_reason_code": self.network_reason_code,
            "platform_status": self.platform_status,
            "amount": maybe(Money.to_dict, self.amount),
            "refunded": maybe(Money.to_dict, self.refunded),
            "order": maybe(Order.to_dict, self.order),
            "buyer": maybe(Party.to_dict, self.buyer),
            "opened_at": maybe(to_rfc3339, self.opened_at),
            "deadlines": maybe(lambda ds: [d.to_dict() for d in ds], self.deadlines),
            "evidence": [e.to_dict() for e in self.evidence],
            "messages": [m.to_dict() for m in self.messages],
            "extra": self.extra,
        }
        if self.update_only:
            data["update_only"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseSnapshot:
        """Parse the JSON form written by :meth:`to_dict`."""

        return cls(
            platform=data["platform"],
            object_type=data["object_type"],
            external_id=data["external_id"],
            kind=data["kind"],
            observed_at=parse_rfc3339(data["observed_at"]),
            revision=data.get("revision"),
            status=data.get("status"),
            outcome=data.get("outcome"),
            stage=data.get("stage"),
            category=data.get("category"),
            platform_reason=data.get("platform_reason"),
            network_reason_code=data.get("network_reason_code"),
            platform_status=data.get("platform_status"),
            amount=maybe(Money.from_dict, data.get("amount")),
            refunded=maybe(Money.from_dict, data.get("refunded")),
            order=maybe(Order.from_dict, data.get("order")),
            buyer=maybe(Party.from_dict, data.get("buyer")),
            opened_at=maybe(parse_rfc3339, data.get("opened_at")),
            deadlines=maybe(lambda ds: tuple(map(Deadline.from_dict, ds)), data.get("deadlines")),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence") or ()),
            messages=tuple(Message.from_dict(m) for m in data.get("messages") or ()),
            extra=dict(data.get("extra") or {}),
            update_only=bool(data.get("update_only", False)),
        )

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON: equal snapshots, equal fingerprints."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def order_key(self) -> OrderKey:
        """The platform's clock, then revision, then content: a total, deterministic order."""
        revision = self.revision if self.revision is not None else -1
        return (self.observed_at, revision, self.fingerprint)


def _check_types(snapshot: CaseSnapshot) -> None:
    """``revision`` is an int (not a bool) or ``None``; ``update_only`` a bool."""
    revision = snapshot.revision
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        raise SnapshotError(f"revision must be an int, got {revision!r}")
    if not isinstance(snapshot.update_only, bool):
        raise SnapshotError(f"update_only must be a bool, got {snapshot.update_only!r}")
