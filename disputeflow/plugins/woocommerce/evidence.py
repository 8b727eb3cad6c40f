"""The ``disputeflow_collect_evidence`` answer of a WooCommerce store: the order, its
shipment tracking and customer notes, and the WooPayments dispute's own record.

Calls (all reads, through the connection's :class:`~.client.WooClient`; checked 2026-12-05):

- ``GET /payments/disputes/{id}`` (WooPayments, ``class-wc-rest-payments-disputes-controller``):
  the charge's card checks and the evidence WooPayments staged, for a dispute case.
- ``GET /wc/v3/orders/{id}`` (WooCommerce REST API v3 "Retrieve an order"): items, addresses,
  customer, IP, payment method, refunds.
- ``GET /wc/v3/orders/{id}/notes?type=customer`` (REST API v3 "List all order notes",
  ``type`` = ``customer``): what the customer was told.
- ``GET /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`` (the Shipment
  Tracking extension's REST API, https://woocommerce.com/document/shipment-tracking/,
  authenticated with the store's REST API key): carrier, number, date shipped. A store
  without the extension answers ``rest_no_route``, and a key the route refuses 401 or 403:
  no tracking (the latter logged), not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from disputeflow import Case, EvidenceItem, MarketplaceError
from disputeflow.plugins.woocommerce.client import WooClient, wp_json_url
from disputeflow.plugins.woocommerce.disputes import order_id_of, read_dispute
from disputeflow.plugins.woocommerce.evidence_items import (
    clean,
    note_items,
    order_items,
    tracking_items,
)

log = logging.getLogger(__name__)

TRACKING_ROUTE = "wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings"
STAGED = {  # WooPayments' staged text fields -> catalogue items, used when the order is silent
    "customer_name": "customer_name",
    "customer_email_address": "customer_email",
    "billing_address": "billing_address",
    "shipping_address": "shipping_address",
    "customer_purchase_ip": "customer_ip",
    "product_description": "product_description",
}


def collect(client: WooClient, case: Case) -> list[EvidenceItem]:
    """Every item the store knows for ``case``; a refusal or an outage of a call the packet
    needs (the dispute, the order) is a :class:`MarketplaceError` naming the case."""
    try:
        return _collect(client, case)
    except MarketplaceError as error:
        raise MarketplaceError(
            f"evidence from WooCommerce for case {case.id}: {error.message}",
            transient=error.transient,
            retry_after=error.retry_after,
            platform_status=error.platform_status,
        ) from None


def _collect(client: WooClient, case: Case) -> list[EvidenceItem]:
    dispute = read_dispute(client, case.external_id) if case.object_type == "dispute" else None
    order_id = (case.order.external_id if case.order else None) or (
        order_id_of(dispute) if dispute else None
    )
    if order_id is None and case.object_type == "return":
        order_id = case.external_id
    items: list[EvidenceItem] = []
    if order_id is not None:
        order = client.get_json(f"orders/{order_id}")
        if not isinstance(order, Mapping):
            raise MarketplaceError(f"WooCommerce answered no order for {order_id}")
        number = clean(order.get("number")) or order_id
        items += order_items(order)
        items += tracking_items(shipment_trackings(client, order_id), number)
        items += note_items(customer_notes(client, order_id), number)
    if dispute is not None:
        items += dispute_items(dispute, {item.name for item in items})
    return merged(items)


def merged(items: list[EvidenceItem]) -> list[EvidenceItem]:
    """One item per name: a second finding of a name joins the first one's text, which
    keeps its field and date."""
    first: dict[str, EvidenceItem] = {}
    for item in items:
        seen = first.get(item.name)
        if seen is None:
            first[item.name] = item
            continue
        first[item.name] = replace(
            seen, text=f"{seen.text}\n{item.text}", source=f"{seen.source}; {item.source}"
        )
    return list(first.values())


def customer_notes(client: WooClient, order_id: str) -> list[Any]:
    notes: list[Any] = []
    for page in client.pages(f"orders/{order_id}/notes", {"type": "customer"}):
        notes += page
    return notes


def shipment_trackings(client: WooClient, order_id: str) -> list[Any]:
    """The Shipment Tracking extension's items of the order; none where it is not installed."""
    url = f"{wp_json_url(client.reads.base_url)}/{TRACKING_ROUTE.format(order_id=order_id)}"
    try:
        answer = client.get_json(url)
    except MarketplaceError as error:
        if error.platform_status == 404 and "rest_no_route" in error.message:
            return []
        if error.platform_status in (401, 403):  # the key may not reach this plugin's route
            log.warning("Shipment Tracking not readable with this key: %s", error.message)
            return []
        raise
    return answer if isinstance(answer, list) else []


def dispute_items(dispute: Mapping[str, Any], known: set[str]) -> list[EvidenceItem]:
    """The charge's card checks (the catalogue's ``card_checks``), and the text evidence
    WooPayments staged for items the order did not give."""
    source = f"WooPayments dispute {dispute.get('id') or dispute.get('dispute_id')}"
    items = []
    checks = card_checks(dispute.get("charge"))
    if checks:
        items.append(EvidenceItem("card_checks", checks, source, None))
    staged = dispute.get("evidence")
    for field, name in STAGED.items():
        value = clean(staged.get(field)) if isinstance(staged, Mapping) else ""
        if value and name not in known:
            items.append(EvidenceItem(name, value, f"{source} (staged evidence)", field))
    return items


def card_checks(charge: Any) -> str:
    """The card network's verdicts at payment (Stripe's ``payment_method_details.card.checks``
    and ``three_d_secure.result``), when WooPayments sent the charge as an object."""
    details = charge.get("payment_method_details") if isinstance(charge, Mapping) else None
    card = details.get("card") if isinstance(details, Mapping) else None
    if not isinstance(card, Mapping):
        return ""
    found = card.get("checks")
    checks: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    named = {
        "address_line1_check": "address line 1",
        "address_postal_code_check": "postal code",
        "cvc_check": "CVC",
    }
    parts = [f"{label} {checks[key]}" for key, label in named.items() if checks.get(key)]
    secure = card.get("three_d_secure")
    if isinstance(secure, Mapping) and secure.get("result"):
        parts.append(f"3-D Secure {secure['result']}")
    if not parts:
        return ""
    last4 = clean(card.get("last4"))
    card_name = f"{clean(card.get('brand'))} card ending {last4}" if last4 else "card"
    return f"Checks of the {card_name} at payment: " + ", ".join(parts) + "."
