"""What a delivery may mean besides a case snapshot: effects the core applies on its own.

A plugin's ``translate_delivery`` returns snapshots and, where a platform event is not
about one case, these effects:

- :class:`OrderRefund`: money refunded on an order (Shopify ``refunds/create``, a
  WooCommerce order refund). It is recorded once per refund id, shown on every case of that
  order (also on cases that arrive later) and counted in their ``refunded`` total.
- :class:`PersonalDataErasure`: erase a person's personal data (Shopify
  ``customers/redact``, eBay account deletion), or everything a shop's connection holds
  (``shop/redact``). Money and status stay; the erasure is recorded on the timeline.
- :class:`DataRequest`: a person asks what is held about them (Shopify
  ``customers/data_request``): an export is recorded for the merchant to send.
- :class:`ConnectionStateChange`: the platform says the merchant removed the app (Shopify
  ``app/uninstalled``): the connection stops syncing and acting, and keeps its cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from disputeflow.core.clock import ensure_utc, to_rfc3339
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ConnectionState


@dataclass(frozen=True)
class OrderRefund:
    """A refund of ``amount`` on the order ``order_external_id`` (idempotent by refund id)."""

    order_external_id: str
    refund_external_id: str
    amount: Money
    refunded_at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "refunded_at", ensure_utc(self.refunded_at))

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect": "order_refund",
            "order_external_id": self.order_external_id,
            "refund_external_id": self.refund_external_id,
            "amount": self.amount.to_dict(),
            "refunded_at": to_rfc3339(self.refunded_at),
            "note": self.note,
        }


@dataclass(frozen=True)
class Subject:
    """Whose personal data: any of a platform customer id, an e-mail, or their orders.

    ``phone``, ``name`` and ``address`` (one line of text) find nobody's cases; where the
    platform names them, an erasure also scrubs them from free text (notes, messages)."""

    customer_external_id: str | None = None
    email: str | None = None
    order_external_ids: tuple[str, ...] = ()
    phone: str | None = None
    name: str | None = None
    address: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {
            "customer_external_id": self.customer_external_id,
            "email": self.email,
            "order_external_ids": list(self.order_external_ids),
        }
        extra = {"phone": self.phone, "name": self.name, "address": self.address}
        return found | {k: v for k, v in extra.items() if v}


@dataclass(frozen=True)
class PersonalDataErasure:
    """Erase ``subject``'s personal data, or (``everything``) all the connection holds."""

    reason: str  # e.g. "shopify customers/redact"
    subject: Subject = Subject()
    everything: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect": "personal_data_erasure",
            "reason": self.reason,
            "subject": self.subject.to_dict(),
            "everything": self.everything,
        }


@dataclass(frozen=True)
class DataRequest:
    """``subject`` asks what is held about them; the core records an export."""

    reason: str
    subject: Subject

    def to_dict(self) -> dict[str, Any]:
        return {"effect": "data_request", "reason": self.reason, "subject": self.subject.to_dict()}


@dataclass(frozen=True)
class ConnectionStateChange:
    """The connection is now ``state`` (as of ``at``, the platform's time), for ``reason``.

    A change older than the connection's last one is ignored: an ``app/uninstalled``
    processed after the merchant installed again must not stop the new installation."""

    state: ConnectionState
    reason: str
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", ensure_utc(self.at))

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect": "connection_state",
            "state": str(self.state),
            "reason": self.reason,
            "at": to_rfc3339(self.at),
        }


Effect = OrderRefund | PersonalDataErasure | DataRequest | ConnectionStateChange
Translation = CaseSnapshot | Effect
