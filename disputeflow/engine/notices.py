"""What a notice is, and the contract a notifier plugin fulfils.

A step of a case (opened, information requested, offer made, decision, refund issued,
deadline approaching, closed, the buyer replied) becomes a notice per audience, stored in
the notice outbox in the same transaction as the step. A worker renders it in the reader's
language and hands it to every :class:`Notifier` that serves its audience (the marketplace's
own channel to the buyer comes first where it has one). Notifiers are typed objects a plugin
returns from ``disputeflow_register_notifiers``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from disputeflow.core.case import Case
from disputeflow.core.errors import MarketplaceError, PluginError

NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class Step(StrEnum):
    """The steps both parties hear of."""

    CASE_OPENED = "case_opened"
    INFORMATION_REQUESTED = "information_requested"
    OFFER_MADE = "offer_made"
    DECISION = "decision"
    REFUND_ISSUED = "refund_issued"
    DEADLINE_APPROACHING = "deadline_approaching"
    CASE_CLOSED = "case_closed"
    BUYER_REPLIED = "buyer_replied"  # the merchant hears of the buyer's reply or evidence


class Audience(StrEnum):
    """Who a notice is for."""

    BUYER = "buyer"
    MERCHANT = "merchant"


@dataclass(frozen=True)
class Notice:
    """One notice, rendered for its reader.

    ``subject`` and ``text`` are in the reader's language (``lang``); ``payload`` is the
    language-neutral JSON form (what a webhook sends); ``link`` opens the case (for a buyer,
    their signed case page). ``idempotency_key`` is the same on every attempt.
    """

    id: str
    idempotency_key: str
    step: Step
    audience: Audience
    case: Case
    lang: str
    subject: str
    text: str
    link: str | None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoticeResult:
    """What a notifier did: to whom (an address, a URL), and the channel's own id."""

    recipient: str
    external_id: str | None = None


class NoticeError(MarketplaceError):
    """A notifier could not deliver; ``transient=True`` retries with backoff."""

    code = "notice_error"


class Notifier(ABC):
    """A channel notices go through (e-mail, a webhook, a chat, an SMS gateway...).

    ``name`` is unique among notifiers (lower case, digits, underscores); ``audiences``
    says whom it serves. :meth:`send` returns ``None`` when it has nobody to send this notice
    to (no address), and raises :class:`NoticeError` when delivery fails.
    """

    name: ClassVar[str]
    audiences: ClassVar[frozenset[Audience]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is not None and not (isinstance(name, str) and name and set(name) <= NAME_CHARS):
            raise PluginError(f"notifier name {name!r} must be lower_snake_case", plugin=name)

    @abstractmethod
    def send(self, notice: Notice) -> NoticeResult | None:
        """Deliver ``notice``; the same ``notice.idempotency_key`` on every retry."""
