"""The value objects a case is made of: parties, orders, evidence, messages, deadlines,
timeline entries. Frozen dataclasses with ``to_dict``/``from_dict`` for the JSON form the
API and the store share.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from disputeflow.core.clock import ensure_utc, parse_rfc3339, to_rfc3339
from disputeflow.core.errors import SnapshotError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import Actor, DeadlineKind, TimelineKind

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def maybe(convert: Callable[[_In], _Out], value: _In | None) -> _Out | None:
    """``convert(value)``, or ``None`` for ``None``: the optional fields of the JSON forms."""
    return convert(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class Party:
    """A buyer (or other person) as the platform describes them; every field optional."""

    name: str | None = None
    email: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    locale: str | None = None  # BCP 47, e.g. "de-DE"
    external_id: str | None = None

    def __post_init__(self) -> None:
        if self.country is not None:
            country = str(self.country).strip().upper()
            if len(country) != 2 or not (country.isascii() and country.isalpha()):
                raise SnapshotError(f"country must be ISO 3166-1 alpha-2, got {self.country!r}")
            object.__setattr__(self, "country", country)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})


Reference = tuple[str, str]  # (kind, value), e.g. ("order_number", "1001"): docs/case-model.md


def _references(value: Any) -> tuple[Reference, ...]:
    """``[(kind, value)]`` (or the JSON form ``[{"kind", "value"}]``) as sorted, distinct
    pairs of stripped strings (kind 1-40 characters, value 1-200)."""
    pairs = set()
    for item in value if isinstance(value, list | tuple) else [value]:
        pair = [item.get("kind"), item.get("value")] if isinstance(item, dict) else item
        ok = isinstance(pair, list | tuple) and len(pair) == 2
        kind, ref = [x.strip() if isinstance(x, str) else "" for x in pair] if ok else ("", "")
        if not (0 < len(kind) <= 40 and 0 < len(ref) <= 200):
            raise SnapshotError(f"an order reference is (kind 1-40, value 1-200), got {item!r}")
        pairs.add((kind, ref))
    return tuple(sorted(pairs))


@dataclass(frozen=True, slots=True)
class Order:
    """The order a case is about. ``references``: its identifiers other channels carry too
    (the order number in a payment's metadata, the payment's id in the store's order)."""

    external_id: str | None = None
    name: str | None = None  # what the merchant calls it, e.g. "#1001"
    total: Money | None = None
    placed_at: datetime | None = None
    references: tuple[Reference, ...] = ()

    def __post_init__(self) -> None:
        if self.placed_at is not None:
            object.__setattr__(self, "placed_at", ensure_utc(self.placed_at, field="placed_at"))
        object.__setattr__(self, "references", _references(self.references or ()))

    def to_dict(self) -> dict[str, Any]:
        refs = [{"kind": k, "value": v} for k, v in self.references]
        return {
            "external_id": self.external_id,
            "name": self.name,
            "total": maybe(Money.to_dict, self.total),
            "placed_at": maybe(to_rfc3339, self.placed_at),
        } | ({"references": refs} if refs else {})  # if set: stored fingerprints stay as they were

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Order:
        return cls(
            external_id=data.get("external_id"),
            name=data.get("name"),
            total=maybe(Money.from_dict, data.get("total")),
            placed_at=maybe(parse_rfc3339, data.get("placed_at")),
            references=data.get("references") or (),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence, from any party, with the same standing for each."""

    external_id: str
    party: Actor
    kind: str  # e.g. "shipping_documentation", "photo", "customer_communication"
    submitted_at: datetime
    description: str = ""
    url: str | None = None
    filename: str | None = None
    content_type: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "party", Actor(self.party))
        object.__setattr__(self, "submitted_at", ensure_utc(self.submitted_at))

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["submitted_at"] = to_rfc3339(self.submitted_at)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            external_id=data["external_id"],
            party=Actor(data["party"]),
            kind=data["kind"],
            submitted_at=parse_rfc3339(data["submitted_at"]),
            description=data.get("description") or "",
            url=data.get("url"),
            filename=data.get("filename"),
            content_type=data.get("content_type"),
        )


@dataclass(frozen=True, slots=True)
class Message:
    """A message between the parties, kept whichever side sent it."""

    external_id: str
    party: Actor
    body: str
    sent_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "party", Actor(self.party))
        object.__setattr__(self, "sent_at", ensure_utc(self.sent_at))

    def to_dict(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id,
            "party": str(self.party),
            "body": self.body,
            "sent_at": to_rfc3339(self.sent_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(data["external_id"], data["party"], data["body"], parse_rfc3339(data["sent_at"]))


# Sources of the deadlines disputeflow computes itself (network windows, statutory refund
# deadlines, the merchant's SLA, a buyer's window to answer): never stated by a platform.
COMPUTED_SOURCE = "disputeflow:"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A moment by which ``party`` must act; ``source`` says who set it (platform, law, SLA).

    A deadline whose source starts with ``disputeflow:`` is computed by disputeflow from the
    case (see :mod:`disputeflow.features.handling.deadlines`); the others come from snapshots.
    """

    kind: DeadlineKind
    due_at: datetime
    source: str
    party: Actor = Actor.MERCHANT

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DeadlineKind(self.kind))
        object.__setattr__(self, "party", Actor(self.party))
        object.__setattr__(self, "due_at", ensure_utc(self.due_at, field="due_at"))

    @property
    def computed(self) -> bool:
        """Whether disputeflow computed this deadline (rather than a platform stating it)."""
        return self.source.startswith(COMPUTED_SOURCE)

    def sort_key(self) -> tuple[datetime, str, str, str]:
        """Earliest first; a total order, so any list of deadlines sorts one way."""
        return (self.due_at, str(self.kind), self.source, str(self.party))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "due_at": to_rfc3339(self.due_at),
            "source": self.source,
            "party": str(self.party),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        return cls(
            data["kind"],
            parse_rfc3339(data["due_at"]),
            data["source"],
            data.get("party", "merchant"),
        )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened on a case: when, who, what, and the data behind it.

    ``derived`` entries are computed from platform snapshots and recomputed when snapshots
    arrive out of order; the others (notes, actions) are recorded once and kept.
    """

    at: datetime
    actor: Actor
    kind: TimelineKind
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    derived: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "actor", Actor(self.actor))
        object.__setattr__(self, "kind", TimelineKind(self.kind))
        object.__setattr__(self, "at", ensure_utc(self.at))

    def sort_key(self) -> tuple[datetime, str, str, str]:
        """A total order, so any history yields the same timeline."""
        return (self.at, str(self.kind), self.summary, json.dumps(self.data, sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": to_rfc3339(self.at),
            "actor": str(self.actor),
            "kind": str(self.kind),
            "summary": self.summary,
            "data": self.data,
            "derived": self.derived,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEntry:
        return cls(
            parse_rfc3339(data["at"]),
            data["actor"],
            data["kind"],
            data["summary"],
            dict(data.get("data") or {}),
            bool(data.get("derived", False)),
        )
