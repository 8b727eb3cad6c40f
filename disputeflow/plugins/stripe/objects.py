"""Reading Stripe's objects: unix times, ids of fields that may be expanded, the disputed
payment's metadata, and the buyer as the charge's billing details describe them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from disputeflow import Order, Party, SnapshotError


def unix_time(value: Any) -> datetime | None:
    """A Stripe timestamp (seconds since the epoch) as an aware UTC time."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def require_time(value: Any, what: str) -> datetime:
    moment = unix_time(value)
    if moment is None:
        raise SnapshotError(f"{what} is missing or not a unix time: {value!r}")
    return moment


def text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def object_id(value: Any) -> str | None:
    """The id of an expandable field: the id itself, or the expanded object's ``id``."""
    if isinstance(value, Mapping):
        return text(value.get("id"))
    return text(value)


def expanded(value: Any) -> Mapping[str, Any]:
    """An expanded object, or an empty mapping when the field holds only an id."""
    return value if isinstance(value, Mapping) else {}


def payment_of(item: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The disputed charge and PaymentIntent, where the object came with them expanded
    (polling and actions ask for ``expand[]=charge``; webhooks never expand)."""
    charge = expanded(item.get("charge"))
    intent = expanded(item.get("payment_intent")) or expanded(charge.get("payment_intent"))
    return charge, intent


def metadata_value(sources: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str | None:
    """The first of ``keys`` found in the metadata of ``sources`` (charge first: Stripe
    copies the PaymentIntent's metadata to the charge when it is confirmed, later edits of
    the PaymentIntent's metadata are only on the PaymentIntent)."""
    for source in sources:
        metadata = source.get("metadata")
        if not isinstance(metadata, Mapping):
            continue
        for key in keys:
            found = metadata.get(key)
            if isinstance(found, str | int) and not isinstance(found, bool) and str(found).strip():
                return str(found).strip()
    return None


def order_of(item: Mapping[str, Any], keys: Sequence[str]) -> Order | None:
    """The order named in the disputed payment's metadata, with the identifiers other
    channels match it by (``order_number``; ``transaction_id``: the charge id, which the
    WooCommerce Stripe Gateway records as the order's transaction id). A webhook, whose
    charge is never expanded, gives the charge id alone."""
    charge, intent = payment_of(item)
    number = metadata_value((charge, intent), keys)
    charge_id = charge.get("id") if charge else item.get("charge")
    references = [("order_number", number.removeprefix("#"))] if number else []
    if isinstance(charge_id, str) and charge_id:
        references.append(("transaction_id", charge_id))  # what a store records as paid by
    if not references:
        return None
    if number is None:
        return Order(references=tuple(references))
    return Order(
        external_id=number, name=f"#{number.removeprefix('#')}", references=tuple(references)
    )


def buyer_of(item: Mapping[str, Any]) -> Party | None:
    """The payer from the charge's ``billing_details`` (name, e-mail, address country)."""
    charge, _ = payment_of(item)
    billing = charge.get("billing_details")
    if not isinstance(billing, Mapping):
        return None
    address = billing.get("address")
    country = text(address.get("country")) if isinstance(address, Mapping) else None
    name, email = text(billing.get("name")), text(billing.get("email"))
    if not (name or email or country):
        return None
    try:
        return Party(name=name, email=email, country=country)
    except SnapshotError:  # a country that is not ISO 3166-1 alpha-2
        return Party(name=name, email=email)
