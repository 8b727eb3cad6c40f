"""One PayPal dispute (``GET /v1/customer/disputes/{id}`` or a webhook's ``resource``) as a
:class:`~disputeflow.CaseSnapshot`: pure, the same object always gives the same snapshot.

Field sources (Disputes API v1 ``dispute``, https://developer.paypal.com/api/customer-disputes/v1/,
checked 2026-12-04): ``update_time`` orders snapshots; ``seller_response_due_date`` and
``buyer_response_due_date`` are the deadlines; ``dispute_outcome.amount_refunded`` is what
the buyer got back; the disputed transactions give the order (``invoice_number``, ``custom``,
the transaction ids) so other channels' cases of the same order can be matched; ``links``
and ``allowed_response_options`` say what PayPal lets the merchant do now (kept in
``extra`` for the actions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import (
    Actor,
    CaseSnapshot,
    CaseStatus,
    Category,
    Deadline,
    DeadlineKind,
    Evidence,
    InvalidInputError,
    Message,
    Money,
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.core.clock import parse_rfc3339
from disputeflow.plugins.paypal.mapping import (
    OUTCOMES,
    REASONS,
    STAGES,
    kind_of,
    status_of,
)

OBJECT_TYPE = "dispute"
SOURCE = "paypal"
PARTIES = {"BUYER": Actor.BUYER, "SELLER": Actor.MERCHANT, "ARBITER": Actor.PLATFORM}
EVIDENCE_SOURCES = {"SUBMITTED_BY_BUYER": Actor.BUYER, "SUBMITTED_BY_SELLER": Actor.MERCHANT,
                    "SUBMITTED_BY_PARTNER": Actor.MERCHANT}  # fmt: skip
NOT_ACTIONS = frozenset({"self", "detail", "first", "last", "next", "previous", "prev"})


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def time_of(value: Any, name: str) -> datetime | None:
    """An RFC 3339 time PayPal wrote, or ``None`` when absent."""
    return parse_rfc3339(value, field=name) if text(value) else None


def money(value: Any) -> Money | None:
    """PayPal's ``money`` object: ``{"currency_code", "value"}`` (the value a string)."""
    if not isinstance(value, Mapping) or value.get("value") is None:
        return None
    return Money(str(value["value"]), str(value["currency_code"]))


def action_links(dispute: Mapping[str, Any]) -> list[str]:
    """The ``rel`` of each action link PayPal offers on the dispute now (HATEOAS)."""
    rels = {
        str(link["rel"])
        for link in dispute.get("links") or ()
        if isinstance(link, Mapping) and text(link.get("rel"))
    }
    return sorted(rels - NOT_ACTIONS)


def response_options(dispute: Mapping[str, Any]) -> dict[str, list[str]]:
    """``allowed_response_options`` flattened: action -> the types PayPal allows for it."""
    options = dispute.get("allowed_response_options")
    flat: dict[str, list[str]] = {}
    if not isinstance(options, Mapping):
        return flat
    for action, detail in options.items():
        if isinstance(detail, Mapping):
            for values in detail.values():
                if isinstance(values, list):
                    flat[str(action)] = sorted(str(v) for v in values)
    return flat


def to_snapshot(platform: str, dispute: Mapping[str, Any],
                observed_at: datetime | None = None) -> CaseSnapshot:  # fmt: skip
    """The dispute as PayPal saw it at its ``update_time`` (``observed_at`` when it has none)."""
    try:
        return _snapshot(platform, dispute, observed_at)
    except (KeyError, TypeError, AttributeError, InvalidInputError) as error:
        raise SnapshotError(f"unreadable PayPal dispute: {type(error).__name__}: {error}") from None


def _snapshot(platform: str, dispute: Mapping[str, Any],
              observed_at: datetime | None) -> CaseSnapshot:  # fmt: skip
    dispute_id = text(dispute.get("dispute_id"))
    observed = time_of(dispute.get("update_time"), "update_time") or observed_at
    if dispute_id is None or observed is None:
        raise SnapshotError("a PayPal dispute needs dispute_id and update_time")
    reason, stage = text(dispute.get("reason")), text(dispute.get("dispute_life_cycle_stage"))
    status = status_of(text(dispute.get("dispute_state")), text(dispute.get("status")))
    amount = money(dispute.get("dispute_amount"))
    outcome, refunded = _outcome(dispute, status, amount)
    return CaseSnapshot(
        platform=platform,
        object_type=OBJECT_TYPE,
        external_id=dispute_id,
        kind=kind_of(text(dispute.get("dispute_channel")), stage),
        observed_at=observed,
        opened_at=time_of(dispute.get("create_time"), "create_time"),
        status=status,
        outcome=outcome,
        stage=STAGES.get(stage or ""),
        category=REASONS.get(reason, Category.OTHER) if reason else None,
        platform_reason=reason,
        network_reason_code=text(dispute.get("external_reason_code")),
        platform_status=text(dispute.get("status")),
        amount=amount,
        refunded=refunded,
        order=_order(dispute),
        buyer=_buyer(dispute),
        deadlines=_deadlines(dispute, status),
        evidence=_evidence(dispute),
        messages=_messages(dispute),
        extra=_extra(dispute),
    )


def _outcome(dispute: Mapping[str, Any], status: CaseStatus | None,
             amount: Money | None) -> tuple[Outcome | None, Money | None]:  # fmt: skip
    detail = dispute.get("dispute_outcome")
    detail = detail if isinstance(detail, Mapping) else {}
    refunded = money(detail.get("amount_refunded"))
    if refunded is not None and amount is not None and refunded.currency != amount.currency:
        refunded = None  # a refund in another currency cannot be set beside the amount
    if status != CaseStatus.RESOLVED:
        return None, refunded
    outcome = OUTCOMES.get(text(detail.get("outcome_code")) or "")
    partial = (
        refunded is not None
        and amount is not None
        and Money.zero(amount.currency) < refunded < amount
    )
    if outcome == Outcome.BUYER_FAVOR and partial:
        outcome = Outcome.PARTIAL
    return outcome, refunded


def _transactions(dispute: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = dispute.get("disputed_transactions") or ()
    return [t for t in found if isinstance(t, Mapping)]


def _order(dispute: Mapping[str, Any]) -> Order | None:
    transactions = _transactions(dispute)
    if not transactions:
        return None
    first = transactions[0]
    invoice = text(first.get("invoice_number"))
    reference = invoice or text(first.get("seller_transaction_id"))
    if reference is None:
        return None
    references = [("order_number", invoice)] if invoice else []
    seller_transaction = text(first.get("seller_transaction_id"))
    if seller_transaction:  # the capture id a store records as the order's transaction id
        references.append(("transaction_id", seller_transaction))
    return Order(
        external_id=reference,
        name=invoice,
        total=money(first.get("gross_amount")),
        placed_at=time_of(first.get("create_time"), "create_time"),
        references=tuple(references),
    )


def _buyer(dispute: Mapping[str, Any]) -> Party | None:
    for transaction in _transactions(dispute):
        buyer = transaction.get("buyer")
        if isinstance(buyer, Mapping) and text(buyer.get("name")):
            return Party(name=buyer["name"])
    return None


def _deadlines(dispute: Mapping[str, Any], status: CaseStatus | None) -> tuple[Deadline, ...]:
    if status == CaseStatus.RESOLVED:
        return ()
    found = []
    seller = time_of(dispute.get("seller_response_due_date"), "seller_response_due_date")
    if seller is not None:
        found.append(Deadline(DeadlineKind.PLATFORM_RESPONSE, seller, SOURCE, Actor.MERCHANT))
    buyer = time_of(dispute.get("buyer_response_due_date"), "buyer_response_due_date")
    if buyer is not None:
        found.append(Deadline(DeadlineKind.PLATFORM_RESPONSE, buyer, SOURCE, Actor.BUYER))
    return tuple(found)


def _digest(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def _messages(dispute: Mapping[str, Any]) -> tuple[Message, ...]:
    found = []
    for item in dispute.get("messages") or ():
        if not isinstance(item, Mapping) or not text(item.get("time_posted")):
            continue
        party = PARTIES.get(str(item.get("posted_by")), Actor.PLATFORM)
        body = str(item.get("content") or "")
        sent = parse_rfc3339(item["time_posted"], field="time_posted")
        found.append(Message(_digest(item["time_posted"], party, body), party, body, sent))
    return tuple(found)


def _evidence(dispute: Mapping[str, Any]) -> tuple[Evidence, ...]:
    found = []
    for item in dispute.get("evidences") or ():
        party = EVIDENCE_SOURCES.get(str(item.get("source"))) if isinstance(item, Mapping) else None
        if party is None or not text(item.get("date")):
            continue  # a request for evidence, not evidence
        kind = str(item.get("evidence_type") or "other").lower()
        submitted = parse_rfc3339(item["date"], field="date")
        notes = str(item.get("notes") or "")
        found.append(Evidence(_digest(item["date"], party, kind, notes), party, kind, submitted,
                              description=notes))  # fmt: skip
    return tuple(found)


def _values(transactions: list[Mapping[str, Any]], *keys: str) -> list[str]:
    return sorted({str(t[key]) for t in transactions for key in keys if text(t.get(key))})


def _extra(dispute: Mapping[str, Any]) -> dict[str, Any]:
    transactions = _transactions(dispute)
    requested = sorted({
        str(item.get("evidence_type")) for item in dispute.get("evidences") or ()
        if isinstance(item, Mapping) and item.get("source") == "REQUESTED_FROM_SELLER"
    })  # fmt: skip
    extra: dict[str, Any] = {
        "dispute_state": text(dispute.get("dispute_state")),
        "dispute_channel": text(dispute.get("dispute_channel")),
        "paypal_actions": action_links(dispute),
        "allowed_response_options": response_options(dispute),
        "requested_evidence": requested,
        "transaction_ids": _values(transactions, "seller_transaction_id", "buyer_transaction_id"),
        "invoice_numbers": _values(transactions, "invoice_number"),
        "custom": _values(transactions, "custom"),
    }
    kept = {key: value for key, value in extra.items() if value not in (None, [], {})}
    # Always stated, even empty: the case's extra is merged key by key, and an action PayPal
    # no longer offers must stop being offered.
    kept["paypal_actions"] = extra["paypal_actions"]
    kept["allowed_response_options"] = extra["allowed_response_options"]
    return kept
