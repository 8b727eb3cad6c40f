"""Return cases of WooCommerce orders: a returns extension's status and meta, read as they are.

The WPSwings "Return Refund and Exchange for WooCommerce" plugin (wpswings/woo-refund-and-
exchange-lite, read at commit 38c76d7f, v4.5.2, checked 2026-12-04) keeps each request in the
order meta ``wps_rma_return_product`` as ``{<key>: {"products", "subject", "reason", "amount",
"status", ...}}``. The key is the request time: ``time()`` (a Unix time) since 4.3.7, and
``date_i18n(wc_date_format())`` (the store's date format, no time) in 4.0 to 4.3.6. Before 4.0
the meta was ``ced_rnx_return_product`` (or ``mwb_*`` in MakeWebBetter's builds), keyed by the
same date format. ``status`` is ``pending``, ``complete`` (the merchant approved the return;
no money has moved) or ``cancel``.

An order that says nothing about a return may still close one (the merchant refunded it,
cancelled the order, or took the return status away): those orders give an *update-only*
snapshot, which the core merges into the order's return case when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from disputeflow import Actor, CaseKind, CaseSnapshot, CaseStatus, Message, Money, Outcome
from disputeflow.plugins.woocommerce.mapping import (
    APPROVED_REQUEST_STATUS,
    CANCELLED_ORDER_STATUS,
    CLOSING_ORDER_STATUSES,
    RETURN_FOLLOW_UP_STATUSES,
    RETURN_META_KEYS,
    RETURN_REQUEST_STATUSES,
    return_category,
)
from disputeflow.plugins.woocommerce.orders import (
    PLATFORM,
    RETURN_OBJECT,
    fully_refunded,
    observed_at,
    order_buyer,
    order_id,
    order_value,
    payment_extra,
    refunded_total,
)
from disputeflow.plugins.woocommerce.values import money

# ``wc_date_format()`` is the WordPress "Date Format" setting; these are the choices its
# settings page offers (F j, Y / Y-m-d / m/d/Y / d/m/Y) and common custom ones. ``m/d/Y`` is
# tried before ``d/m/Y``: a key like 04/11/2026 is read as April 11.
KEY_DATE_FORMATS = (
    "%d-%m-%Y", "%B %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y",
    "%b %d, %Y", "%d %b %Y",
)  # fmt: skip
StateOf = tuple[CaseStatus, Outcome | None]
CURRENT_META_KEY = RETURN_META_KEYS[0]  # wps_rma_return_product


def request_time(key: str) -> datetime | None:
    """The time a request key names: a Unix time (4.3.7+) or a date in the store's format."""
    key = key.strip()
    if key.isdigit():
        try:
            return datetime.fromtimestamp(int(key), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    for pattern in KEY_DATE_FORMATS:
        try:
            return datetime.strptime(key, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def return_request(
    order: Mapping[str, Any], meta_keys: Sequence[str] = RETURN_META_KEYS
) -> dict[str, Any] | None:
    """The latest request in the order's meta (``_key`` and ``_date`` added); ``{}`` when the
    meta is there in another shape, ``None`` when there is none."""
    for meta in order.get("meta_data") or ():
        if not isinstance(meta, Mapping) or meta.get("key") not in meta_keys:
            continue
        value = meta.get("value")
        if not isinstance(value, Mapping) or not value:
            return {}
        requests = [(request_time(str(k)), str(k), v) for k, v in value.items()]
        requests = [(d, k, v) for d, k, v in requests if isinstance(v, Mapping)]
        if not requests:
            return {}
        epoch = datetime.min.replace(tzinfo=UTC)
        date, key, latest = max(requests, key=lambda item: (item[0] or epoch, item[1]))
        return {**latest, "_key": key, "_date": date, "_meta": meta["key"]}
    return None


def returns_plugin(request: Mapping[str, Any] | None) -> str | None:
    """``wpswings`` for a request of WPSwings 4.0+ (which has REST routes to approve and
    decline), ``wpswings-legacy`` for the older meta keys (no routes), else ``None``."""
    if not request or "_meta" not in request:
        return None
    return "wpswings" if request["_meta"] == CURRENT_META_KEY else "wpswings-legacy"


def request_amount(request: Mapping[str, Any], currency: Any) -> Money | None:
    """``amount`` when the request has one (REST-made requests), else the items' ``price``
    times ``qty`` plus ``shipping_price`` (requests made in the store's own form)."""
    stated = money(request.get("amount"), currency)
    if stated is not None or not isinstance(request.get("products"), list):
        return stated
    try:
        total = sum(
            (_decimal(p.get("price")) * _decimal(p.get("qty") or 1))
            for p in request["products"]
            if isinstance(p, Mapping)
        )
        total += _decimal(request.get("shipping_price") or 0)
    except (InvalidOperation, TypeError):
        return None
    return money(str(total), currency) if total > 0 else None


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise TypeError("not a number")
    return Decimal(str(value))


def request_items(request: Mapping[str, Any]) -> list[dict[str, str]]:
    """The returned items (order item, product, variation, quantity), ids as strings."""
    products = request.get("products")
    items = []
    for product in products if isinstance(products, list) else ():
        if isinstance(product, Mapping):
            fields = ("item_id", "product_id", "variation_id", "qty")
            items.append({k: str(product[k]) for k in fields if product.get(k) not in (None, "")})
    return items


def _closed(order: Mapping[str, Any]) -> StateOf:
    """How a return ended on an order that no longer carries a return status: refunded in
    full, in part, or withdrawn (cancelled, or the return status removed without money)."""
    if fully_refunded(order):
        return CaseStatus.RESOLVED, Outcome.BUYER_FAVOR
    if order.get("status") != CANCELLED_ORDER_STATUS and refunded_total(order) is not None:
        return CaseStatus.RESOLVED, Outcome.PARTIAL
    return CaseStatus.RESOLVED, Outcome.WITHDRAWN


def return_state(
    order: Mapping[str, Any], statuses: Sequence[str], request: Mapping[str, Any] | None
) -> tuple[StateOf | tuple[None, None], bool] | None:
    """``(state, update_only)`` of the order's return; ``None``: the order closes nothing."""
    raw = order.get("status")
    if fully_refunded(order):  # the buyer has their money back, whatever the status says
        marked = raw in statuses or raw in RETURN_FOLLOW_UP_STATUSES or request is not None
        return (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR), not marked
    if raw in statuses:
        return (CaseStatus.NEEDS_RESPONSE, None), False
    if raw in RETURN_FOLLOW_UP_STATUSES:
        return RETURN_FOLLOW_UP_STATUSES[str(raw)], False
    if request is not None:
        request_status = str(request.get("status"))
        if request_status == APPROVED_REQUEST_STATUS and raw in CLOSING_ORDER_STATUSES:
            return _closed(order), False  # approved, then the order moved on
        return RETURN_REQUEST_STATUSES.get(request_status, (None, None)), False
    if raw in CLOSING_ORDER_STATUSES:
        return _closed(order), True
    return None


def return_snapshot(
    order: Mapping[str, Any],
    statuses: Sequence[str],
    meta_keys: Sequence[str] = RETURN_META_KEYS,
) -> CaseSnapshot | None:
    """The order's return case: full while the order says it has a return, update-only
    when it may close one, ``None`` otherwise."""
    request = return_request(order, meta_keys)
    found = return_state(order, statuses, request)
    if found is None:
        return None
    (status, outcome), update_only = found
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "object_type": RETURN_OBJECT,
        "external_id": order_id(order),
        "kind": CaseKind.RETURN,
        "observed_at": observed_at(order),
        "status": status,
        "outcome": outcome,
        "platform_status": _clean(order.get("status")),
        "refunded": refunded_total(order),
        "order": order_value(order),
        "extra": payment_extra(order),
        "update_only": update_only,
    }
    if update_only:  # says nothing about the request: keeps what the case knows
        return CaseSnapshot(**common)
    request, currency = request or {}, order.get("currency")
    subject, text = _clean(request.get("subject")), _clean(request.get("reason"))
    return CaseSnapshot(
        **{**common, "extra": _request_extra(common["extra"], request)},
        category=return_category(subject, text),
        platform_reason=subject,
        amount=request_amount(request, currency) or money(order.get("total"), currency),
        buyer=order_buyer(order),
        opened_at=request.get("_date"),
        messages=_buyer_message(order, request, text),
    )


def _request_extra(extra: dict[str, str], request: Mapping[str, Any]) -> dict[str, Any]:
    """The payment identifiers plus the returned items and which plugin recorded them."""
    found: dict[str, Any] = dict(extra)
    if items := request_items(request):
        found["return_items"] = items
    if plugin := returns_plugin(request):
        found["returns_plugin"] = plugin
    return found


def _clean(value: Any) -> str | None:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def _buyer_message(
    order: Mapping[str, Any], request: Mapping[str, Any], text: str | None
) -> tuple[Message, ...]:
    """The buyer's own words with the request: heard, and kept on the case."""
    if not text:
        return ()
    sent_at = request.get("_date") or observed_at(order)
    key = request.get("_key") or "request"
    return (Message(f"{order_id(order)}:return:{key}", Actor.BUYER, text, sent_at),)
