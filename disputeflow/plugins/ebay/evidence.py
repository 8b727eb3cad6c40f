"""The ``disputeflow_collect_evidence`` answer for an eBay case: the order as the Fulfillment
API shows it (items, buyer, ship-to address, payments, refunds) and its shipping
fulfillments (carrier, tracking number, date shipped).

Calls (Sell Fulfillment API v1, checked 2026-12-05, none deprecated):

- ``GET payment_dispute/{id}`` on the ``apiz`` host (getPaymentDispute,
  developer.ebay.com/api-docs/sell/fulfillment/resources/payment_dispute/methods/
  getPaymentDispute): the order id of a payment dispute.
- ``GET order/{orderId}`` (getOrder, .../resources/order/methods/getOrder): ``lineItems[]``
  (``title``, ``quantity``, ``legacyItemId``, ``sku``, ``lineItemCost``), ``buyer.username``,
  ``fulfillmentStartInstructions[].shippingStep.shipTo`` (``fullName``, ``contactAddress``,
  ``email``), ``pricingSummary.total``, ``paymentSummary.payments[]`` and ``refunds[]``,
  ``fulfillmentHrefs[]``.
- ``GET order/{orderId}/shipping_fulfillment`` (getShippingFulfillments,
  .../resources/order/shipping_fulfillment/methods/getShippingFulfillments), only when the
  order lists ``fulfillmentHrefs``: ``fulfillments[]`` with ``shipmentTrackingNumber``,
  ``shippingCarrierCode``, ``shippedDate``.

eBay takes no text evidence fields: a contest carries a ``note`` (at most 1,000 characters)
and evidence *files* by type, and tracking reaches eBay through the order's shipping
fulfillment, where it already is. So every item here is free text (``field`` ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import Case, EvidenceItem, MarketplaceError
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.values import dig, money, text, time


def collect(api: EbayApi, case: Case) -> list[EvidenceItem]:
    """Every item eBay holds for ``case``; a failed read is a :class:`MarketplaceError`
    naming the case."""
    try:
        return _collect(api, case)
    except MarketplaceError as error:
        raise MarketplaceError(
            f"evidence from eBay for case {case.id}: {error.message}",
            transient=error.transient,
            retry_after=error.retry_after,
            platform_status=error.platform_status,
        ) from None


def _collect(api: EbayApi, case: Case) -> list[EvidenceItem]:
    order_id = case.order.external_id if case.order else None
    if case.object_type == "payment_dispute":
        dispute = api.fulfillment("GET", f"payment_dispute/{segment(case.external_id)}").body
        order_id = text(dig(dispute, "orderId")) or order_id
    if order_id is None:
        return []
    path = f"fulfillment/v1/order/{segment(order_id)}"
    order = api.sell("GET", path).body
    if not isinstance(order, Mapping):
        raise MarketplaceError(f"eBay answered no order for {order_id}")
    items = order_items(order, order_id)
    if order.get("fulfillmentHrefs"):
        shipped = api.sell("GET", f"{path}/shipping_fulfillment").body
        items += fulfillment_items(dig(shipped, "fulfillments") or [], order_id)
    return items


def _item(name: str, words: str, source: str, as_of: datetime | None = None) -> list[EvidenceItem]:
    return [EvidenceItem(name, words, source, None, as_of)] if words else []


def ship_to(order: Mapping[str, Any]) -> Mapping[str, Any]:
    """The first fulfilment instruction's ``shippingStep.shipTo`` (eBay returns one)."""
    for instruction in order.get("fulfillmentStartInstructions") or ():
        found = dig(instruction, "shippingStep", "shipTo")
        if isinstance(found, Mapping):
            return found
    return {}


def order_items(order: Mapping[str, Any], order_id: str) -> list[EvidenceItem]:
    source = f"eBay order {order_id}"
    placed = time(order.get("creationDate"))
    recipient = ship_to(order)
    buyer = text(dig(order, "buyer", "username"))
    name = text(recipient.get("fullName")) or ""
    if name and buyer:
        name += f" (eBay buyer {buyer})"
    return [
        *_item("order_details", summary(order, order_id), source, placed),
        *_item("product_description", products(order), source, placed),
        *_item("customer_name", name, source, placed),
        *_item("customer_email", text(recipient.get("email")) or "", source, placed),
        *_item("shipping_address", address(recipient), source, placed),
        *_item("earlier_refunds", refunds(order), source),
    ]


def summary(order: Mapping[str, Any], order_id: str) -> str:
    parts = [f"eBay order {order_id}"]
    placed = time(order.get("creationDate"))
    if placed is not None:
        parts.append(f"placed {placed:%Y-%m-%d %H:%M} UTC")
    total = money(dig(order, "pricingSummary", "total"))
    if total is not None:
        parts.append(f"total {total}")
    for payment in dig(order, "paymentSummary", "payments") or ():
        method, paid = text(dig(payment, "paymentMethod")), time(dig(payment, "paymentDate"))
        if method:
            parts.append(f"paid by {method}" + (f" on {paid:%Y-%m-%d}" if paid else ""))
    for label, key in (("payment", "orderPaymentStatus"), ("fulfilment", "orderFulfillmentStatus")):
        if text(order.get(key)):
            parts.append(f"{label} {order[key]}")
    return "; ".join(parts)


def products(order: Mapping[str, Any]) -> str:
    lines = []
    for line in order.get("lineItems") or ():
        title = text(dig(line, "title"))
        if not title:
            continue
        refs = [f"item {i}" for i in [text(dig(line, "legacyItemId"))] if i]
        refs += [f"SKU {s}" for s in [text(dig(line, "sku"))] if s]
        cost = money(dig(line, "lineItemCost"))
        entry = f"{text(dig(line, 'quantity')) or '1'} x {title}"
        entry += f" ({', '.join(refs)})" if refs else ""
        lines.append(entry + (f": {cost}" if cost else ""))
    return "\n".join(lines)


def address(recipient: Mapping[str, Any]) -> str:
    """``shipTo`` on lines: name, street, ``city, state postcode``, country code."""
    where = recipient.get("contactAddress")
    where = where if isinstance(where, Mapping) else {}
    town = " ".join(
        p for p in (text(where.get("stateOrProvince")), text(where.get("postalCode"))) if p
    )
    city = ", ".join(p for p in (text(where.get("city")), town) if p)
    lines = [
        text(recipient.get("fullName")),
        text(where.get("addressLine1")),
        text(where.get("addressLine2")),
        city,
        text(where.get("countryCode")),
    ]
    return "\n".join(line for line in lines if line) if text(where.get("addressLine1")) else ""


def refunds(order: Mapping[str, Any]) -> str:
    lines = []
    for refund in dig(order, "paymentSummary", "refunds") or ():
        amount = money(dig(refund, "amount"))
        if amount is None:
            continue
        when = time(dig(refund, "refundDate"))
        refund_id = text(dig(refund, "refundId"))
        line = f"Refund {refund_id} of {amount}" if refund_id else f"Refund of {amount}"
        line += (
            f", {text(dig(refund, 'refundStatus'))}" if text(dig(refund, "refundStatus")) else ""
        )
        lines.append(line + (f" on {when:%Y-%m-%d}" if when else ""))
    return "\n".join(lines)


def fulfillment_items(found: list[Any], order_id: str) -> list[EvidenceItem]:
    """Tracking numbers, carriers and the first date shipped of the order's packages."""
    rows = [f for f in found if text(dig(f, "shipmentTrackingNumber"))]
    if not rows:
        return []
    source = f"eBay shipping fulfillments of order {order_id}"
    numbers = ", ".join(dict.fromkeys(str(text(dig(f, "shipmentTrackingNumber"))) for f in rows))
    carriers = ", ".join(
        dict.fromkeys(c for f in rows if (c := text(dig(f, "shippingCarrierCode"))))
    )
    dates = sorted(d for f in rows if (d := time(dig(f, "shippedDate"))))
    first = dates[0] if dates else None
    return [
        *_item("tracking", numbers, source, first),
        *_item("carrier", carriers, source, first),
        *_item("shipping_date", f"{first:%Y-%m-%d}" if first else "", source, first),
    ]
