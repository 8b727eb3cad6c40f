"""What Shopify knows toward contesting a dispute, as evidence catalogue items.

One GraphQL query (``queries.DISPUTE_ORDER_EVIDENCE``) reads the disputed order's
fulfillments (carrier, tracking number, when shipped, delivery status and the carrier's
events), its billing and shipping addresses and whether they match, the customer, and the
store's published refund and shipping policies with when they last changed (the date a
buyer was shown them). Shopify fills tracking, addresses, names and the product description
into the dispute's evidence itself; these items show the agent what is there, and the
delivery confirmation and policies go into the evidence's own fields or its free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import Case, EvidenceItem, SnapshotError
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import dig, gid, when

SOURCE = "Shopify order"
POLICIES = {"REFUND_POLICY": "refund_policy", "SHIPPING_POLICY": "shipping_policy"}
ADDRESS_PARTS = ("name", "address1", "address2", "zip", "city", "provinceCode", "countryCodeV2")


def _time(value: Any) -> datetime | None:
    try:
        return when(value, "time")
    except SnapshotError:
        return None


def address(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    line = ", ".join(str(value[k]).strip() for k in ADDRESS_PARTS if value.get(k))
    return line or None


def _tracking(fulfillments: list[Mapping[str, Any]], source: str) -> list[EvidenceItem]:
    items = []
    for fulfillment in fulfillments:
        shipped = _time(fulfillment.get("createdAt"))
        for info in fulfillment.get("trackingInfo") or ():
            if info.get("number"):
                items.append(EvidenceItem("tracking", str(info["number"]), source))
            if info.get("company"):
                items.append(EvidenceItem("carrier", str(info["company"]), source))
        if shipped is not None:
            items.append(
                EvidenceItem("shipping_date", f"{shipped:%Y-%m-%d}", source, as_of=shipped)
            )
    return items


def _delivery(fulfillment: Mapping[str, Any], source: str) -> EvidenceItem | None:
    """The carrier's confirmation: delivered when, and the events leading there."""
    events = dig(fulfillment, "events", "nodes") or []
    delivered = _time(fulfillment.get("deliveredAt"))
    status = fulfillment.get("displayStatus")
    if delivered is None and status != "DELIVERED":
        return None
    numbers = ", ".join(str(t.get("number")) for t in fulfillment.get("trackingInfo") or ())
    lines = [f"Delivered{f' on {delivered:%Y-%m-%d %H:%M} UTC' if delivered else ''}"
             f" (Shopify status {status}; tracking {numbers or 'none'})."]  # fmt: skip
    for event in events:
        moment = _time(event.get("happenedAt"))
        stamp = f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "?"
        lines.append(f"{stamp}: {event.get('status')} {event.get('message') or ''}".rstrip())
    return EvidenceItem("delivery", "\n".join(lines), source, as_of=delivered)


def _card_checks(order: Mapping[str, Any], source: str) -> list[EvidenceItem]:
    """The card's address (AVS) and CVV result codes of the order's successful payments."""
    found = []
    for transaction in order.get("transactions") or ():
        details = transaction.get("paymentDetails") or {}
        if transaction.get("status") != "SUCCESS" or not isinstance(details, Mapping):
            continue
        codes = [f"{label} result code {details[key]}"
                 for key, label in (("avsResultCode", "AVS"), ("cvvResultCode", "CVV"))
                 if details.get(key)]  # fmt: skip
        if codes:
            found.append(f"{transaction.get('kind')}: {'; '.join(codes)}")
    return [EvidenceItem("card_checks", "\n".join(found), source)] if found else []


def _people(order: Mapping[str, Any], source: str) -> list[EvidenceItem]:
    billing, shipping = address(order.get("billingAddress")), address(order.get("shippingAddress"))
    name = dig(order, "customer", "displayName") or dig(order, "billingAddress", "name")
    email = order.get("email") or dig(order, "customer", "email")
    found = [("customer_name", name), ("customer_email", email),
             ("billing_address", billing), ("shipping_address", shipping)]  # fmt: skip
    items = [EvidenceItem(item, str(value), source) for item, value in found if value]
    match = order.get("billingAddressMatchesShippingAddress")
    if isinstance(match, bool) and billing and shipping:
        said = "match" if match else "differ"
        items.append(EvidenceItem("address_match", f"Billing and shipping addresses {said}.",
                                  source))  # fmt: skip
    placed = _time(order.get("createdAt"))
    if placed is not None:
        said = f"Order {order.get('name')} placed on {placed:%Y-%m-%d %H:%M} UTC"
        items.append(EvidenceItem("receipt", said, source, as_of=placed))
    return items


def _policies(shop: Any) -> list[EvidenceItem]:
    items = []
    for policy in dig(shop, "shopPolicies") or ():
        name = POLICIES.get(str(policy.get("type")))
        if name and str(policy.get("body") or "").strip():
            text = str(policy["body"]).strip() + (f"\n{policy['url']}" if policy.get("url") else "")
            source = "Shopify store policy, as published since"
            items.append(EvidenceItem(name, text, source, as_of=_time(policy.get("updatedAt"))))
    return items


def collect(client: ShopifyClient, case: Case) -> list[EvidenceItem]:
    """The disputed order's evidence and the store's policies."""
    data = client.graphql(
        queries.DISPUTE_ORDER_EVIDENCE, {"id": gid("ShopifyPaymentsDispute", case.external_id)}
    )
    order = dig(data, "dispute", "order")
    items = _policies(data.get("shop"))
    if not isinstance(order, Mapping):
        return items
    source = f"{SOURCE} {order.get('name') or order.get('id')}"
    fulfillments = [f for f in order.get("fulfillments") or () if isinstance(f, Mapping)]
    delivered = [_delivery(f, source) for f in fulfillments]
    items += _tracking(fulfillments, source) + [item for item in delivered if item]
    return _people(order, source) + _card_checks(order, source) + items
