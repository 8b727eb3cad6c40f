"""WooPayments disputes: the dispute object as a case snapshot, and finding an order's disputes.

The snapshot is a function of the dispute object alone, so a webhook, a poll and an action's
answer that see the same dispute make the same snapshot (one fingerprint, stored once).
WooPayments gives no "updated" time, so ``observed_at`` is the latest moment the object
records (created, evidence submitted, closed, money moved) and ``revision`` the rank of its
status in a dispute's life.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from disputeflow import (
    Actor,
    CaseSnapshot,
    Deadline,
    DeadlineKind,
    Evidence,
    Money,
    Order,
    Outcome,
    Party,
    SnapshotError,
)
from disputeflow.core.errors import InvalidInputError
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.mapping import (
    DISPUTE_STATUS_RANK,
    RESPONSE_DUE_STATUSES,
    dispute_category,
    dispute_kind,
    dispute_status,
)
from disputeflow.plugins.woocommerce.values import any_time, external_id, party, require, unix_time

PLATFORM = "woocommerce"
OBJECT_TYPE = "dispute"
DEADLINE_SOURCE = "woopayments"
DISPUTES_PATH = "payments/disputes"
LIST_PAGE_SIZE = 100


def dispute_snapshot(dispute: Mapping[str, Any], *, order_hint: str | None = None) -> CaseSnapshot:
    """A WooPayments dispute (``GET /payments/disputes/{id}``, or a list entry) as a snapshot."""
    identifier = external_id(dispute.get("id") or dispute.get("dispute_id"))
    if identifier is None:
        raise SnapshotError("a WooPayments dispute without an id")
    raw_status = _text(dispute.get("status"))
    kind, stage = dispute_kind(raw_status)
    status, outcome = dispute_status(raw_status)
    if raw_status == "warning_closed" and charge_refunded(dispute):
        outcome = Outcome.BUYER_FAVOR  # accepted by a refund, as WooPayments' screen does
    raw_reason = _text(dispute.get("reason"))
    observed = _observed_at(dispute)
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=OBJECT_TYPE,
        external_id=identifier,
        kind=kind,
        observed_at=observed,
        revision=DISPUTE_STATUS_RANK.get(raw_status or "", 0),
        status=status,
        outcome=outcome,
        stage=stage,
        category=dispute_category(raw_reason),
        platform_reason=raw_reason,
        network_reason_code=_network_reason_code(dispute),
        platform_status=raw_status,
        amount=_amount(dispute),
        order=_order(dispute, order_hint),
        buyer=_buyer(dispute),
        opened_at=any_time(dispute.get("created")),
        deadlines=_deadlines(dispute, raw_status),
        evidence=_evidence(dispute, identifier, observed),
        extra=_payment_extra(dispute),
    )


def _payment_extra(dispute: Mapping[str, Any]) -> dict[str, Any]:
    """The charge (and payment intent), to link the dispute with its order and a provider's
    view of the same payment; the fees WooPayments reports for it."""
    extra: dict[str, Any] = {"payment_method": "woocommerce_payments"}
    if fees := _fees(dispute):
        extra["fees"] = fees
    if charge_id(dispute):
        extra["charge_id"] = str(charge_id(dispute))
    charge = dispute.get("charge")
    intent = dispute.get("payment_intent")
    if not intent and isinstance(charge, Mapping):
        intent = charge.get("payment_intent")
    if isinstance(intent, str) and intent:
        extra["intent_id"] = intent
    return extra


def _fees(dispute: Mapping[str, Any]) -> list[dict[str, str]]:
    """The dispute's fees as WooPayments reports them: the ``fee`` (minor units) of each of
    its ``balance_transactions``, summed per currency (WooPayments' dispute docs,
    ``docs/rest-api/source/includes/wp-api-v3/dispute.md``, checked 2026-12-05)."""
    totals: dict[str, Money] = {}
    for transaction in dispute.get("balance_transactions") or ():
        if not isinstance(transaction, Mapping):
            continue
        fee, currency = transaction.get("fee"), transaction.get("currency")
        if isinstance(fee, bool) or not isinstance(fee, int) or not isinstance(currency, str):
            continue
        try:
            money = Money.from_minor(fee, currency.upper())
        except InvalidInputError:
            continue
        totals[money.currency] = totals.get(money.currency, Money.zero(money.currency)) + money
    return [money.to_dict() for money in totals.values()]


def charge_refunded(dispute: Mapping[str, Any]) -> bool:
    """Whether the disputed charge was refunded in full (Stripe's ``charge.refunded``, or
    ``amount_refunded`` reaching the dispute's amount)."""
    charge = dispute.get("charge")
    if not isinstance(charge, Mapping):
        return False
    if charge.get("refunded") is True:
        return True
    refunded, amount = charge.get("amount_refunded"), dispute.get("amount")
    return isinstance(refunded, int) and isinstance(amount, int) and refunded >= amount > 0


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _metadata(dispute: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = dispute.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _details(dispute: Mapping[str, Any]) -> Mapping[str, Any]:
    details = dispute.get("evidence_details")
    return details if isinstance(details, Mapping) else {}


def _observed_at(dispute: Mapping[str, Any]) -> datetime:
    metadata = _metadata(dispute)
    moments = [
        any_time(dispute.get("created")),
        unix_time(metadata.get("__evidence_submitted_at")),
        unix_time(metadata.get("__dispute_closed_at")),
    ]
    for transaction in dispute.get("balance_transactions") or ():
        if isinstance(transaction, Mapping):
            moments.append(unix_time(transaction.get("created")))
    known = [moment for moment in moments if moment is not None]
    return require(max(known) if known else None, "dispute creation time")


def _amount(dispute: Mapping[str, Any]) -> Money | None:
    """``amount`` is in minor units and ``currency`` lower case (Stripe's convention)."""
    amount, currency = dispute.get("amount"), dispute.get("currency")
    if not isinstance(currency, str) or isinstance(amount, bool):
        return None
    try:
        return Money.from_minor(int(str(amount)), currency.upper())
    except (ValueError, InvalidInputError):
        return None


def charge_id(dispute: Mapping[str, Any]) -> str | None:
    """The disputed charge, whether ``charge`` is an object or an id."""
    charge = dispute.get("charge")
    if isinstance(charge, Mapping):
        return external_id(charge.get("id"))
    return external_id(charge or dispute.get("charge_id"))


def order_id_of(dispute: Mapping[str, Any]) -> str | None:
    """The WooCommerce order id from the dispute's ``order.url`` (``post=`` in the classic
    admin, ``id=`` with HPOS); ``None`` when WooPayments found no order."""
    order = dispute.get("order")
    if not isinstance(order, Mapping) or not isinstance(order.get("url"), str):
        return None
    query = parse_qs(urlsplit(order["url"]).query)
    for name in ("post", "id"):
        values = query.get(name)
        if values and values[0].isascii() and values[0].isdigit():
            return values[0]
    return None


def _order(dispute: Mapping[str, Any], order_hint: str | None) -> Order | None:
    order = dispute.get("order")
    number = order.get("number") if isinstance(order, Mapping) else dispute.get("order_number")
    identifier = order_id_of(dispute) or order_hint
    if identifier is None and number in (None, ""):
        return None
    return Order(external_id=identifier, name=f"#{number}" if number not in (None, "") else None)


def _buyer(dispute: Mapping[str, Any]) -> Party | None:
    charge = dispute.get("charge")
    billing = charge.get("billing_details") if isinstance(charge, Mapping) else None
    if isinstance(billing, Mapping):
        address = billing.get("address")
        country = address.get("country") if isinstance(address, Mapping) else None
        return party(_text(billing.get("name")), billing.get("email"), country)
    if any(dispute.get(f"customer_{part}") for part in ("name", "email", "country")):
        return party(
            _text(dispute.get("customer_name")),
            dispute.get("customer_email"),
            dispute.get("customer_country"),
        )
    return None


def _network_reason_code(dispute: Mapping[str, Any]) -> str | None:
    details = dispute.get("payment_method_details")
    card = details.get("card") if isinstance(details, Mapping) else None
    code = card.get("network_reason_code") if isinstance(card, Mapping) else None
    return external_id(code or dispute.get("network_reason_code"))


def _deadlines(dispute: Mapping[str, Any], raw_status: str | None) -> tuple[Deadline, ...] | None:
    """The evidence deadline while the merchant must respond; cleared once they have."""
    if raw_status not in DISPUTE_STATUS_RANK:
        return None  # an unknown status: this object does not say
    due = any_time(_details(dispute).get("due_by") or dispute.get("due_by"))
    if raw_status in RESPONSE_DUE_STATUSES and due is not None:
        return (Deadline(DeadlineKind.PLATFORM_RESPONSE, due, DEADLINE_SOURCE),)
    return ()


def _evidence(
    dispute: Mapping[str, Any], identifier: str, observed: datetime
) -> tuple[Evidence, ...]:
    """What the merchant submitted to the bank (pre-filled fields before a submission are
    drafts, not evidence)."""
    submitted = unix_time(_metadata(dispute).get("__evidence_submitted_at"))
    count = _details(dispute).get("submission_count")
    if submitted is None and not (isinstance(count, int) and count > 0):
        return ()
    fields = dispute.get("evidence")
    if not isinstance(fields, Mapping):
        return ()
    return tuple(
        Evidence(
            external_id=f"{identifier}:{name}",
            party=Actor.MERCHANT,
            kind=str(name),
            submitted_at=submitted or observed,
            description=value.strip()[:2000],
        )
        for name, value in sorted(fields.items())
        if isinstance(value, str) and value.strip()
    )


def order_disputes(
    client: WooClient, order_id: str, number: str | None, charge: str | None
) -> Iterator[Mapping[str, Any]]:
    """The full dispute objects of one order, found with the list's documented ``search``
    filter (``List_Disputes::set_search``; WooPayments' search matches order numbers,
    customers and charges): by the order number, then by the charge if that found none.
    Entries are matched on the charge, the order id or number, then each is read in full.
    A dispute the search misses is still found by the next sync, which reads the list."""
    seen: set[str] = set()
    for term in dict.fromkeys(t for t in (number, charge) if t):
        params = {
            "search": term,
            "pagesize": LIST_PAGE_SIZE,
            "sort": "created",
            "direction": "desc",
        }
        body = client.get_json(DISPUTES_PATH, params)
        entries = body.get("data") if isinstance(body, Mapping) else None
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, Mapping) or not _belongs(entry, order_id, number, charge):
                continue
            dispute_id = str(entry.get("dispute_id") or entry.get("id"))
            if dispute_id not in seen:
                seen.add(dispute_id)
                yield read_dispute(client, dispute_id)
        if seen:
            return


def _belongs(
    entry: Mapping[str, Any], order_id: str, number: str | None, charge: str | None
) -> bool:
    order = entry.get("order")
    entry_number = order.get("number") if isinstance(order, Mapping) else None
    entry_number = entry_number or entry.get("order_number")
    return (
        (charge is not None and charge_id(entry) == charge)
        or order_id_of(entry) == order_id
        or (number is not None and entry_number is not None and str(entry_number) == number)
    )


def read_dispute(client: WooClient, dispute_id: str) -> Mapping[str, Any]:
    """``GET /payments/disputes/{id}``: the dispute with its evidence and metadata."""
    if not dispute_id.replace("_", "").isalnum():
        raise SnapshotError(f"{dispute_id!r} is not a WooPayments dispute id")
    body = client.get_json(f"{DISPUTES_PATH}/{dispute_id}")
    if not isinstance(body, Mapping):
        raise SnapshotError(f"WooPayments answered no dispute object for {dispute_id}")
    return body
