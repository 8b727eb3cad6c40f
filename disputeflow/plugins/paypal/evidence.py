"""The ``disputeflow_collect_evidence`` answer for a PayPal dispute: what the dispute shows
(the disputed transactions, their items, the buyer, the messages) and the tracking the
merchant already gave PayPal for the payment.

Calls (checked 2026-12-05):

- ``GET /v1/customer/disputes/{id}`` ("Show dispute details",
  https://developer.paypal.com/api/customer-disputes/v1/): ``disputed_transactions[]``
  (``seller_transaction_id``, ``buyer_transaction_id``, ``invoice_number``, ``gross_amount``,
  ``create_time``, ``buyer.name``, ``items[]``), ``messages[]``, ``evidences[]``.
- ``GET /v1/shipping/trackers?transaction_id=`` ("List tracking information", Shipment
  Tracking v1, https://developer.paypal.com/api/tracking/v1/; only its batch *add* is
  deprecated): ``trackers[]`` with ``tracking_number``, ``carrier`` (``carrier_name_other``
  for ``OTHER``), ``status``, ``shipment_date``. A transaction without tracking answers 404,
  and an app without the tracking permission 403: both mean "no tracking to show".

Each item's ``field`` is the PayPal evidence (type, and ``evidence_info`` field) it fills,
as :mod:`.evidence_body` reads it; texts without a PayPal field go into the notes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from disputeflow import Case, EvidenceItem, MarketplaceError
from disputeflow.plugins.paypal.api import PaypalApi
from disputeflow.plugins.paypal.disputes import money, text, time_of

TRACKERS_PATH = "/v1/shipping/trackers"
NO_TRACKING = frozenset({403, 404})
FULFILLMENT = "PROOF_OF_FULFILLMENT"

log = logging.getLogger(__name__)


def collect(api: PaypalApi, case: Case) -> list[EvidenceItem]:
    """Every item PayPal holds for ``case``; a failed read is a :class:`MarketplaceError`
    naming the case."""
    try:
        dispute = api.get(f"/v1/customer/disputes/{quote(case.external_id, safe='')}")
        if not isinstance(dispute, Mapping):
            raise MarketplaceError(f"PayPal answered no dispute for {case.external_id}")
        found: list[Mapping[str, Any]] = []
        paid = []
        for transaction in transactions(dispute):
            seller_id = text(transaction.get("seller_transaction_id"))
            if seller_id:
                paid.append(seller_id)
                found += trackers(api, seller_id)
        return dispute_items(dispute) + tracking_items(found, ", ".join(paid))
    except MarketplaceError as error:
        raise MarketplaceError(
            f"evidence from PayPal for case {case.id}: {error.message}",
            transient=error.transient,
            retry_after=error.retry_after,
            platform_status=error.platform_status,
        ) from None


def transactions(dispute: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = dispute.get("disputed_transactions") or ()
    return [t for t in found if isinstance(t, Mapping)]


def trackers(api: PaypalApi, transaction_id: str) -> list[Mapping[str, Any]]:
    """The trackers of one payment (none when PayPal has none, or will not show them)."""
    try:
        answer = api.get(TRACKERS_PATH, {"transaction_id": transaction_id})
    except MarketplaceError as error:
        if error.platform_status not in NO_TRACKING:
            raise
        if error.platform_status == 403:
            log.warning(
                "PayPal tracking not readable (grant the app Shipping tracking): %s", error.message
            )
        return []
    if not isinstance(answer, Mapping):
        return []
    if "trackers" not in answer and text(answer.get("tracking_number")):
        return [answer]  # the 1.6 specification names one ``tracker`` as this call's answer
    return [t for t in answer.get("trackers") or () if isinstance(t, Mapping)]


def dispute_items(dispute: Mapping[str, Any]) -> list[EvidenceItem]:
    """The payment, what was bought, who paid and what the parties wrote."""
    source = f"PayPal dispute {dispute.get('dispute_id')}"
    found = transactions(dispute)
    first = found[0] if found else {}
    placed = time_of(first.get("create_time"), "create_time")
    named = first.get("buyer")
    buyer: Mapping[str, Any] = named if isinstance(named, Mapping) else {}
    items = [
        _item("order_details", "\n".join(payment_line(t) for t in found), source, placed),
        _item("product_description", products(found), source, placed),
        _item("customer_name", text(buyer.get("name")) or "", source, placed),
        _item("buyer_messages", messages(dispute), source, None),
    ]
    return [item for item in items if item is not None]


def _item(name: str, words: str, source: str, as_of: datetime | None) -> EvidenceItem | None:
    return EvidenceItem(name, words, source, None, as_of) if words else None


def payment_line(transaction: Mapping[str, Any]) -> str:
    """``PayPal payment 8AW... (buyer's 7XB...) of 2.00 USD on 2025-09-18, HELD; invoice``."""
    parts = [f"PayPal payment {text(transaction.get('seller_transaction_id')) or '(no id)'}"]
    if text(transaction.get("buyer_transaction_id")):
        parts.append(f"(buyer's transaction {transaction['buyer_transaction_id']})")
    amount = money(transaction.get("gross_amount"))
    if amount is not None:
        parts.append(f"of {amount}")
    made = time_of(transaction.get("create_time"), "create_time")
    if made is not None:
        parts.append(f"on {made:%Y-%m-%d %H:%M} UTC")
    line = " ".join(parts)
    for label, key in (("status", "transaction_status"), ("invoice", "invoice_number")):
        if text(transaction.get(key)):
            line += f"; {label} {transaction[key]}"
    return line


def products(found: list[Mapping[str, Any]]) -> str:
    lines = []
    for transaction in found:
        for item in transaction.get("items") or ():
            if not isinstance(item, Mapping) or not text(item.get("item_name")):
                continue
            line = f"{text(item.get('item_quantity')) or '1'} x {item['item_name']}"
            described = text(item.get("item_description"))
            if described and described != item["item_name"]:
                line += f": {described}"
            lines.append(line)
    return "\n".join(lines)


def messages(dispute: Mapping[str, Any]) -> str:
    """The messages on the dispute, oldest first, with who posted them."""
    lines = []
    for message in dispute.get("messages") or ():
        if isinstance(message, Mapping) and text(message.get("content")):
            posted = time_of(message.get("time_posted"), "time_posted")
            when = f"{posted:%Y-%m-%d %H:%M} UTC " if posted else ""
            lines.append((posted, f"{when}{message.get('posted_by') or '?'}: {message['content']}"))
    lines.sort(key=lambda pair: pair[0].timestamp() if pair[0] else 0.0)
    return "\n".join(line for _, line in lines)


def tracking_items(found: list[Mapping[str, Any]], transaction_id: str) -> list[EvidenceItem]:
    """All trackers in one item each for the numbers and the carriers, a line per tracker
    in the same order (PayPal's ``tracking_info`` pairs them line by line), when each
    shipped and, once PayPal shows it delivered, that too (the notes of
    ``PROOF_OF_FULFILLMENT``)."""
    source = f"PayPal tracking of payment {transaction_id}"
    rows = [
        (number, _carrier(tracker), _date(tracker.get("shipment_date")), tracker.get("status"))
        for tracker in found
        if (number := text(tracker.get("tracking_number")))
    ]
    if not rows:
        return []
    first = min((row[2] for row in rows if row[2] is not None), default=None)
    items = [
        EvidenceItem("tracking", "\n".join(r[0] for r in rows), source,
                     f"{FULFILLMENT}.tracking_number", first),
        EvidenceItem("carrier", "\n".join(r[1] for r in rows), source,
                     f"{FULFILLMENT}.carrier_name", first),
    ]  # fmt: skip
    shipped = [f"Shipped {d:%Y-%m-%d} ({c} {n})." for n, c, d, _ in rows if d is not None]
    if shipped:
        items.append(EvidenceItem("shipping_date", "\n".join(shipped), source, FULFILLMENT, first))
    delivered = [f"PayPal shows {c} {n} as DELIVERED." for n, c, _, s in rows if s == "DELIVERED"]
    if delivered:
        items.append(EvidenceItem("delivery", "\n".join(delivered), source, FULFILLMENT))
    return items


def _carrier(tracker: Mapping[str, Any]) -> str:
    """PayPal's carrier code, or the name given with ``OTHER``."""
    carrier = text(tracker.get("carrier")) or "OTHER"
    return (text(tracker.get("carrier_name_other")) or carrier) if carrier == "OTHER" else carrier


def _date(value: Any) -> datetime | None:
    """A ``YYYY-MM-DD`` shipment date as midnight UTC."""
    return time_of(f"{value}T00:00:00Z", "shipment_date") if text(value) else None
