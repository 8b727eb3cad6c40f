"""The buyer's side of a store without a complaint flow of its own: proving an order for
disputeflow's request form, and notes to the customer as the buyer's notice channel.

An order is found by its number: ``GET /orders/{number}`` when the number is the order's
id (WooCommerce's default), else ``GET /orders?search=<number>`` and the order whose
``number`` is exactly that. It is the buyer's only when its billing e-mail is the one given
(compared without case). A notice is a customer note (WooCommerce e-mails it to the
customer too), marked with a digest of the notice's key so that a retry finds it instead of
adding a second one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from disputeflow import Case, FoundOrder, MarketplaceError, UnsupportedError
from disputeflow.plugins.woocommerce.actions import marker, order_of
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.orders import order_buyer, order_value


def _same_email(order: Mapping[str, Any], email: str) -> bool:
    billing = order.get("billing")
    stored = billing.get("email") if isinstance(billing, Mapping) else None
    if not isinstance(stored, str) or not stored.strip() or not email.strip():
        return False
    return hmac.compare_digest(stored.strip().lower().encode(), email.strip().lower().encode())


def _by_id(client: WooClient, number: str) -> Mapping[str, Any] | None:
    if not (number.isascii() and number.isdigit()):
        return None
    try:
        found = client.get_json(f"orders/{number}")
    except MarketplaceError as error:
        if error.platform_status == 404:
            return None
        raise
    if isinstance(found, Mapping) and str(found.get("number")) == number:
        return found
    return None


def _by_search(client: WooClient, number: str) -> Mapping[str, Any] | None:
    found = client.get_json("orders", {"search": number, "per_page": 20})
    for order in found if isinstance(found, list) else ():
        if isinstance(order, Mapping) and str(order.get("number")) == number:
            return order
    return None


def find_order(client: WooClient, order_number: str, email: str) -> FoundOrder | None:
    """The order numbered ``order_number`` (a leading ``#`` is ignored) placed with ``email``."""
    number = order_number.strip().removeprefix("#").strip()
    if not number or len(number) > 64:
        return None
    order = _by_id(client, number) or _by_search(client, number)
    if order is None or not _same_email(order, email):
        return None
    return FoundOrder(order=order_value(order), buyer=order_buyer(order))


def note_marker(idempotency_key: str) -> str:
    return marker(hashlib.sha256(idempotency_key.encode()).hexdigest()[:16])


def send_buyer_message(
    client: WooClient, case: Case, message: str, idempotency_key: str
) -> str | None:
    """A customer note on the case's order; the id of the note (an earlier attempt's, if it
    got through)."""
    try:
        order_id = order_of(case)
    except MarketplaceError:
        raise UnsupportedError(f"case {case.id} names no WooCommerce order") from None
    tag = note_marker(idempotency_key)
    for page in client.pages(f"orders/{order_id}/notes", {"type": "customer"}):
        for note in page:
            if isinstance(note, Mapping) and tag in str(note.get("note", "")):
                return str(note["id"]) if note.get("id") is not None else None
    text = f"{message.strip()}\n\n{tag}"
    created = client.post_json(f"orders/{order_id}/notes", {"note": text, "customer_note": True})
    if isinstance(created, Mapping) and created.get("id") is not None:
        return str(created["id"])
    return None
