"""What a WooCommerce order, its tracking, its notes and a WooPayments dispute say toward a
contest, as evidence items (pure: the payloads in, the items out).

Each item names the Stripe dispute evidence field WooPayments forwards it to
(``client/disputes/evidence/fields.js`` of Automattic/woocommerce-payments: the text fields
``product_description``, ``customer_name``, ``customer_email_address``, ``billing_address``,
``customer_purchase_ip``, ``shipping_carrier``, ``shipping_tracking_number``,
``shipping_date``, ``shipping_address``), or ``None`` when only the free text
(``uncategorized_text``) takes it. Several carriers or tracking numbers are joined with
commas, as that form asks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from disputeflow import EvidenceItem
from disputeflow.plugins.woocommerce.values import external_id, gmt_time, money

TAGS = re.compile(r"<[^>]+>")
ADDRESS_PARTS = ("address_1", "address_2", "city", "state", "postcode", "country")


def clean(value: Any) -> str:
    """Text as the store shows it: HTML entities decoded, tags dropped, spaces trimmed."""
    if value is None or isinstance(value, bool):
        return ""
    return " ".join(TAGS.sub(" ", html.unescape(str(value))).split())


def section(order: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = order.get(name)
    return value if isinstance(value, Mapping) else {}


def full_name(part: Mapping[str, Any]) -> str:
    return " ".join(n for n in (clean(part.get("first_name")), clean(part.get("last_name"))) if n)


def address_text(part: Mapping[str, Any]) -> str:
    """A postal address on lines: name, company, street, ``city, state postcode``, country."""
    town = " ".join(p for p in (clean(part.get("state")), clean(part.get("postcode"))) if p)
    city = ", ".join(p for p in (clean(part.get("city")), town) if p)
    lines = [
        full_name(part),
        clean(part.get("company")),
        clean(part.get("address_1")),
        clean(part.get("address_2")),
        city,
        clean(part.get("country")),
    ]
    return "\n".join(line for line in lines if line)


def same_address(billing: Mapping[str, Any], shipping: Mapping[str, Any]) -> bool | None:
    """Whether the goods went to the billing address (``None`` when either is missing)."""
    if not clean(billing.get("address_1")) or not clean(shipping.get("address_1")):
        return None
    return all(
        clean(billing.get(k)).casefold() == clean(shipping.get(k)).casefold() for k in ADDRESS_PARTS
    )


def order_items(order: Mapping[str, Any]) -> list[EvidenceItem]:
    """The order itself: what was bought, by whom, billed and shipped where."""
    number = clean(order.get("number")) or clean(order.get("id"))
    source = f"WooCommerce order #{number}"
    placed = gmt_time(order.get("date_created_gmt"))
    billing, shipping = section(order, "billing"), section(order, "shipping")
    found = [
        _item("order_details", order_summary(order), source, None, placed),
        _item("product_description", products(order), source, "product_description", placed),
        _item("customer_name", full_name(billing), source, "customer_name", placed),
        _item("customer_email", clean(billing.get("email")), source, "customer_email_address"),
        _item(
            "customer_ip",
            clean(order.get("customer_ip_address")),
            source,
            "customer_purchase_ip",
            placed,
        ),
        _item("billing_address", address_text(billing), source, "billing_address", placed),
        _item("shipping_address", address_text(shipping), source, "shipping_address", placed),
        _item("address_match", match_text(billing, shipping), source, None, placed),
        _item("earlier_refunds", refunds_text(order), source, None),
    ]
    return [item for item in found if item is not None]


def _item(
    name: str, text: str, source: str, field: str | None, as_of: datetime | None = None
) -> EvidenceItem | None:
    return EvidenceItem(name, text, source, field, as_of) if text else None


def products(order: Mapping[str, Any]) -> str:
    """One line per item: quantity, name, SKU and its variation attributes."""
    lines = []
    for line in order.get("line_items") or ():
        if not isinstance(line, Mapping) or not clean(line.get("name")):
            continue
        sku = clean(line.get("sku"))
        lines.append(
            f"{line.get('quantity') or 1} x {clean(line.get('name'))}"
            + (f" (SKU {sku})" if sku else "")
        )
    return "\n".join(lines)


def order_summary(order: Mapping[str, Any]) -> str:
    """Number, date, items with their totals, shipping, total and how it was paid."""
    currency = order.get("currency")
    parts = [f"Order #{clean(order.get('number')) or clean(order.get('id'))}"]
    placed = gmt_time(order.get("date_created_gmt"))
    if placed is not None:
        parts.append(f"placed {placed:%Y-%m-%d %H:%M} UTC")
    for line in order.get("line_items") or ():
        if isinstance(line, Mapping) and clean(line.get("name")):
            total = money(line.get("total"), currency)
            parts.append(
                f"{line.get('quantity') or 1} x {clean(line.get('name'))}"
                + (f": {total}" if total else "")
            )
    for line in order.get("shipping_lines") or ():
        if isinstance(line, Mapping) and clean(line.get("method_title")):
            cost = money(line.get("total"), currency)
            parts.append(
                f"shipping {clean(line.get('method_title'))}" + (f": {cost}" if cost else "")
            )
    total = money(order.get("total"), currency)
    if total is not None:
        parts.append(f"total {total}")
    paid = gmt_time(order.get("date_paid_gmt"))
    method = clean(order.get("payment_method_title")) or clean(order.get("payment_method"))
    if method:
        parts.append(f"paid by {method}" + (f" on {paid:%Y-%m-%d}" if paid else ""))
    return "; ".join(parts)


def match_text(billing: Mapping[str, Any], shipping: Mapping[str, Any]) -> str:
    same = same_address(billing, shipping)
    if same is None:
        return ""
    if same:
        return "The order shipped to the billing address."
    return "The order shipped to an address other than the billing address."


def refunds_text(order: Mapping[str, Any]) -> str:
    """Refunds already made on the order (``total`` is negative in WooCommerce)."""
    lines = []
    for refund in order.get("refunds") or ():
        if not isinstance(refund, Mapping):
            continue
        amount = money(refund.get("total"), order.get("currency"), absolute=True)
        if amount is None:
            continue
        refund_id, reason = external_id(refund.get("id")), clean(refund.get("reason"))
        line = f"Refund {refund_id} of {amount}" if refund_id else f"Refund of {amount}"
        lines.append(line + (f": {reason}" if reason else ""))
    return "\n".join(lines)


def tracking_items(trackings: Iterable[Any], order_number: str) -> list[EvidenceItem]:
    """Shipment Tracking's items (``tracking_provider``, ``tracking_number``,
    ``date_shipped`` YYYY-MM-DD): numbers, carriers and the first shipping date."""
    rows = [t for t in trackings if isinstance(t, Mapping) and clean(t.get("tracking_number"))]
    if not rows:
        return []
    source = f"WooCommerce Shipment Tracking, order #{order_number}"
    numbers = ", ".join(dict.fromkeys(clean(t["tracking_number"]) for t in rows))
    carriers = ", ".join(dict.fromkeys(c for t in rows if (c := clean(t.get("tracking_provider")))))
    dates = sorted(d for t in rows if (d := clean(t.get("date_shipped"))))
    shipped = gmt_time(dates[0]) if dates else None
    links = "\n".join(dict.fromkeys(u for t in rows if (u := clean(t.get("tracking_link")))))
    found = [
        _item("tracking", numbers, source, "shipping_tracking_number", shipped),
        _item("carrier", carriers, source, "shipping_carrier", shipped),
        _item("shipping_date", dates[0] if dates else "", source, "shipping_date", shipped),
        _item("delivery", links and f"Carrier tracking: {links}", source, None),
    ]
    return [item for item in found if item is not None]


def note_items(notes: Iterable[Any], order_number: str) -> list[EvidenceItem]:
    """The notes the customer was sent (``customer_note: true``), oldest first."""
    sent = []
    for note in notes:
        if isinstance(note, Mapping) and note.get("customer_note") and clean(note.get("note")):
            sent.append((gmt_time(note.get("date_created_gmt")), clean(note.get("note"))))
    if not sent:
        return []
    sent.sort(key=lambda pair: pair[0].timestamp() if pair[0] else 0.0)
    text = "\n".join(f"{at:%Y-%m-%d %H:%M} UTC: {words}" if at else words for at, words in sent)
    source = f"WooCommerce order #{order_number}, notes to the customer"
    return [EvidenceItem("buyer_messages", text, source, None, sent[-1][0])]
