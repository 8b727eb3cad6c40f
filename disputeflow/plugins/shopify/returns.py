"""Shopify returns -> CaseSnapshots.

Return payloads come in two shapes: a webhook body (snake case, often thin: ``id``,
``order_id``, ``status``) and a GraphQL ``Return`` node (full: line items, reasons, notes,
the order and its buyer). Both are first read into one plain shape (:func:`from_webhook`,
:func:`from_graphql`), then :func:`snapshot` builds the case's view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from disputeflow import Actor, CaseKind, CaseSnapshot, Message, Money, Order, Party, SnapshotError
from disputeflow.plugins.shopify import mapping
from disputeflow.plugins.shopify.values import dig, lower, money_v2, numeric_id, when

PLATFORM = "shopify"
OBJECT_TYPE = "return"


def from_webhook(payload: dict[str, Any], topic: str) -> dict[str, Any]:
    """A ``returns/*`` webhook body in the plain shape; a missing status comes from the topic."""
    items = payload.get("return_line_items")
    found = payload.get("order")
    order: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "id": numeric_id(payload.get("id") or payload.get("admin_graphql_api_id")),
        "status": payload.get("status") or mapping.RETURN_TOPIC_STATUSES.get(topic),
        "order_id": numeric_id(order.get("id") or payload.get("order_id")),
        "name": payload.get("name"),
        "decline": payload.get("decline") if isinstance(payload.get("decline"), dict) else None,
        "line_items": [_webhook_item(i) for i in items] if isinstance(items, list) else [],
        "total_line_items": payload.get("total_return_line_items"),
    }


def _webhook_item(item: dict[str, Any]) -> dict[str, Any]:
    definition = item.get("return_reason_definition")
    handle = definition.get("handle") if isinstance(definition, dict) else None
    return {
        "id": numeric_id(item.get("id") or item.get("admin_graphql_api_id")),
        "line_item_id": numeric_id(dig(item, "fulfillment_line_item", "line_item", "id")),
        "quantity": item.get("quantity"),
        "reason": handle or item.get("return_reason"),
        "reason_note": item.get("return_reason_note"),
        "customer_note": item.get("customer_note"),
    }


def needs_details(plain: dict[str, Any], topic: str) -> bool:
    """Whether the webhook body lacks what a case shows (line items, reasons, the buyer)."""
    total = plain.get("total_line_items")
    items = plain["line_items"]
    return topic == "returns/update" or not items or (isinstance(total, int) and total > len(items))


def from_graphql(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL ``Return`` node in the plain shape (enum values lower-cased)."""
    order = node.get("order") or {}
    items = dig(node, "returnLineItems", "nodes") or []
    return {
        "id": numeric_id(node.get("id")),
        "status": lower(node.get("status")),
        "order_id": order.get("legacyResourceId") or numeric_id(order.get("id")),
        "order_name": order.get("name"),
        "name": node.get("name"),
        "created_at": node.get("createdAt"),
        "decline": _decline(node.get("decline")),
        "line_items": [_graphql_item(item) for item in items if isinstance(item, dict)],
        "total_line_items": len(items),
        "buyer": _buyer(order),
    }


def _decline(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {"reason": lower(value.get("reason")), "note": value.get("note")}


def _graphql_item(item: dict[str, Any]) -> dict[str, Any]:
    """A ``ReturnLineItem`` or an ``UnverifiedReturnLineItem`` (no fulfilled line item
    behind it: its own ``unitPrice``). The reason is the ``returnReasonDefinition`` handle
    (2026-07 on), else the deprecated ``returnReason`` enum of older versions."""
    line = dig(item, "fulfillmentLineItem", "lineItem") or {}
    price = dig(line, "discountedUnitPriceAfterAllDiscountsSet", "presentmentMoney")
    definition = item.get("returnReasonDefinition") or {}
    plain = {
        "id": numeric_id(item.get("id")),
        "line_item_id": numeric_id(line.get("id")),
        "name": line.get("name"),
        "sku": line.get("sku"),
        "quantity": item.get("quantity"),
        "reason": definition.get("handle") or lower(item.get("returnReason")),
        "reason_note": item.get("returnReasonNote"),
        "customer_note": item.get("customerNote"),
        "unit_price": money_v2(price) or money_v2(item.get("unitPrice")),
    }
    if item.get("__typename") == "UnverifiedReturnLineItem":
        plain["unverified"] = True
    return plain


def _buyer(order: dict[str, Any]) -> dict[str, Any]:
    address = order.get("shippingAddress") or order.get("billingAddress") or {}
    customer = order.get("customer") or {}
    return {
        "name": customer.get("displayName"),
        "email": order.get("email"),
        "country": address.get("countryCodeV2"),
        "locale": order.get("customerLocale"),
        "external_id": customer.get("legacyResourceId") or numeric_id(customer.get("id")),
    }


def merge_details(plain: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """The webhook's view with what the fetched Return adds. The webhook's status stays:
    it is the state at the webhook's time, and the fetch may already be newer."""
    merged = {**details, **{k: v for k, v in plain.items() if v not in (None, [], {})}}
    merged["line_items"] = details.get("line_items") or plain["line_items"]
    merged["status"] = plain.get("status") or details.get("status")
    return merged


def snapshot(plain: dict[str, Any], observed_at: datetime) -> CaseSnapshot:
    """One return as Shopify stated it at ``observed_at``."""
    external_id = plain.get("id")
    if not external_id:
        raise SnapshotError("Shopify return without an id")
    raw_status = plain.get("status")
    status, outcome = mapping.return_status(raw_status)
    items = plain.get("line_items") or []
    category, raw_reason = mapping.return_category([i["reason"] for i in items if i.get("reason")])
    created = when(plain.get("created_at"), "createdAt")
    return CaseSnapshot(
        platform=PLATFORM,
        object_type=OBJECT_TYPE,
        external_id=external_id,
        kind=CaseKind.RETURN,
        observed_at=observed_at,
        status=status,
        outcome=outcome,
        category=category,
        platform_reason=raw_reason,
        platform_status=str(raw_status) if raw_status else None,
        amount=_amount(items),
        order=_order(plain),
        buyer=_party(plain.get("buyer")),
        opened_at=created,
        messages=tuple(_notes(items, created or observed_at)),
        extra=_extra(plain, items),
    )


def _amount(items: list[dict[str, Any]]) -> Money | None:
    """What the returned items cost the buyer: quantity x unit price after discounts."""
    prices = [(i.get("unit_price"), i.get("quantity")) for i in items]
    if not prices or any(p is None or not isinstance(q, int) for p, q in prices):
        return None
    total = [Money(p.value * q, p.currency) for p, q in prices]  # type: ignore[union-attr]
    return sum(total[1:], total[0])


def _order(plain: dict[str, Any]) -> Order | None:
    if not plain.get("order_id"):
        return None
    return Order(external_id=str(plain["order_id"]), name=plain.get("order_name"))


def _party(data: Any) -> Party | None:
    if not isinstance(data, dict) or not any(data.values()):
        return None
    return Party(**{k: (str(v) if v is not None else None) for k, v in data.items()})


def _notes(items: list[dict[str, Any]], at: datetime) -> list[Message]:
    """Each line item's customer note, as the buyer's message on the case."""
    return [
        Message(f"return-line-item-{item['id']}-note", Actor.BUYER, str(item["customer_note"]), at)
        for item in items
        if item.get("customer_note") and item.get("id")
    ]


def _extra(plain: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """Shopify's own details, each under a key of its own: the core merges ``extra`` key by
    key, so a thin snapshot that says nothing of line items never wipes them."""
    extra: dict[str, Any] = {}
    if plain.get("name"):
        extra["shopify_return_name"] = plain["name"]
    if plain.get("decline"):
        extra["shopify_return_decline"] = plain["decline"]
    if items:
        extra["shopify_return_line_items"] = [
            {k: v for k, v in item.items() if k not in ("unit_price", "customer_note")}
            for item in items
        ]
    return extra
