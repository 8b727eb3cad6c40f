"""What Stripe itself knows toward contesting a dispute, as evidence catalogue items.

One call: ``GET /v1/disputes/{id}?expand[]=charge`` (https://docs.stripe.com/api/disputes/retrieve),
then the disputed charge's own fields (https://docs.stripe.com/api/charges/object): the
payer's ``billing_details`` (name, e-mail, address), the card's address and CVC checks and
3-D Secure result (``payment_method_details.card.checks``, ``three_d_secure``), ``shipping``
(address, carrier, tracking number), the receipt (``receipt_number``, ``receipt_email``,
``receipt_url``) and the charge's ``description``. Checked 2026-12-05. Stripe's guidance
for fraud disputes asks for exactly these (docs.stripe.com/disputes/categories).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from disputeflow import Case, EvidenceItem
from disputeflow.plugins.stripe.actions import read_dispute
from disputeflow.plugins.stripe.amounts import to_money
from disputeflow.plugins.stripe.client import StripeClient
from disputeflow.plugins.stripe.objects import expanded, text, unix_time

ADDRESS_PARTS = ("line1", "line2", "postal_code", "city", "state", "country")
CHECKS = (("address_line1_check", "AVS street"), ("address_postal_code_check", "AVS postal code"),
          ("cvc_check", "CVC"))  # fmt: skip


def address(value: Any) -> str | None:
    """A Stripe address hash as one line (``None`` when every part is empty)."""
    parts = [text(expanded(value).get(part)) for part in ADDRESS_PARTS]
    line = ", ".join(part for part in parts if part)
    return line or None


def _same_place(one: Any, other: Any) -> bool:
    keys = ("line1", "postal_code", "country")
    norm = [tuple((text(expanded(v).get(k)) or "").lower() for k in keys) for v in (one, other)]
    return norm[0] == norm[1]


def card_checks(charge: Mapping[str, Any]) -> str | None:
    """The card's verification results as Stripe recorded them (only those it has)."""
    card = expanded(expanded(charge.get("payment_method_details")).get("card"))
    checks = expanded(card.get("checks"))
    found = [f"{label}: {checks[key]}" for key, label in CHECKS if text(checks.get(key))]
    secure = text(expanded(card.get("three_d_secure")).get("result"))
    if secure:
        found.append(f"3-D Secure: {secure}")
    return "; ".join(found) or None


def receipt(charge: Mapping[str, Any]) -> str | None:
    money = to_money(charge.get("amount"), charge.get("currency"))
    created: datetime | None = unix_time(charge.get("created"))
    parts = [f"Payment {charge.get('id')}" + (f" of {money}" if money else "")
             + (f" on {created:%Y-%m-%d}" if created else "")]  # fmt: skip
    for label, key in (("receipt number", "receipt_number"), ("sent to", "receipt_email"),
                       ("receipt", "receipt_url")):  # fmt: skip
        if text(charge.get(key)):
            parts.append(f"{label} {charge[key]}")
    return "; ".join(parts) if len(parts) > 1 else None


def _billing(charge: Mapping[str, Any], source: str) -> list[EvidenceItem]:
    billing = expanded(charge.get("billing_details"))
    found = [("customer_name", text(billing.get("name"))),
             ("customer_email", text(billing.get("email")) or text(charge.get("receipt_email"))),
             ("billing_address", address(billing.get("address"))),
             ("card_checks", card_checks(charge)), ("receipt", receipt(charge)),
             ("product_description", text(charge.get("description")))]  # fmt: skip
    return [EvidenceItem(name, value, source) for name, value in found if value]


def _shipping(charge: Mapping[str, Any], source: str) -> list[EvidenceItem]:
    shipping = expanded(charge.get("shipping"))
    to = address(shipping.get("address"))
    name = text(shipping.get("name"))
    found = [("shipping_address", f"{name}, {to}" if name and to else to),
             ("carrier", text(shipping.get("carrier"))),
             ("tracking", text(shipping.get("tracking_number")))]  # fmt: skip
    items = [EvidenceItem(item, value, source) for item, value in found if value]
    billing = expanded(charge.get("billing_details")).get("address")
    if to and address(billing):
        same = _same_place(billing, shipping.get("address"))
        said = "match" if same else "differ"
        items.append(EvidenceItem("address_match", f"Billing and shipping addresses {said}.",
                                  source))  # fmt: skip
    return items


def collect(client: StripeClient, case: Case) -> list[EvidenceItem]:
    """The disputed charge's evidence (nothing when Stripe names no charge)."""
    dispute = read_dispute(client, case.external_id)
    charge = expanded(dispute.get("charge"))
    if not charge:
        return []
    source = f"Stripe charge {charge.get('id')}"
    return _billing(charge, source) + _shipping(charge, source)
