"""The ``evidences`` of a ``provide-evidence`` / ``appeal`` built from a contest's items.

An item's ``kind`` names a PayPal evidence type (``PROOF_OF_FULFILLMENT``), optionally with
the ``evidence_info`` field it fills: ``PROOF_OF_FULFILLMENT.tracking_number``,
``PROOF_OF_FULFILLMENT.carrier_name`` (``tracking_info[]``, paired in the order given, one
value per line; one carrier for several numbers goes with each) and
``PROOF_OF_REFUND.refund_id`` (``refund_ids[]``). Items of one type become one evidence, the
texts of the others its ``notes``; items whose kind is not a PayPal type, and the merchant's
message, go into the notes of the evidence PayPal asked for first (else the first one).

Field names, types and limits from the Disputes API v1 ``evidence``, ``evidence_info`` and
``tracking_info`` schemas (paypal-rest-api-specifications ``customer_disputes_v1.json``;
https://developer.paypal.com/api/customer-disputes/v1/, checked 2026-12-05): ``notes`` 1 to
2000 characters, at most 10 ``tracking_info`` and 100 ``refund_ids``, ``carrier_name`` one of
PayPal's carrier codes, else ``OTHER`` with ``carrier_name_other``. What each reason needs
(https://docs.paypal.ai/growth/disputes/reference/dispute-reasons, checked 2026-12-05):
``PROOF_OF_FULFILLMENT`` takes a carrier and tracking number, or notes or documents;
``PROOF_OF_REFUND`` takes refund ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from disputeflow import ActionRequest, Case, MarketplaceError

EVIDENCE_TYPES = frozenset({
    "PROOF_OF_FULFILLMENT", "PROOF_OF_REFUND", "PROOF_OF_DELIVERY_SIGNATURE",
    "PROOF_OF_RECEIPT_COPY", "RETURN_POLICY", "BILLING_AGREEMENT", "PROOF_OF_RESHIPMENT",
    "ITEM_DESCRIPTION", "POLICE_REPORT", "AFFIDAVIT", "PAID_WITH_OTHER_METHOD",
    "COPY_OF_CONTRACT", "TERMINAL_ATM_RECEIPT", "PRICE_DIFFERENCE_REASON",
    "SOURCE_CONVERSION_RATE", "BANK_STATEMENT", "CREDIT_DUE_REASON", "REQUEST_CREDIT_RECEIPT",
    "PROOF_OF_RETURN", "CREATE", "CHANGE_REASON", "PROOF_OF_REFUND_OUTSIDE_PAYPAL",
    "RECEIPT_OF_MERCHANDISE", "CUSTOMS_DOCUMENT", "CUSTOMS_FEE_RECEIPT",
    "INFORMATION_ON_RESOLUTION", "ADDITIONAL_INFORMATION_OF_ITEM", "DETAILS_OF_PURCHASE",
    "PROOF_OF_SIGNIFICANT_DIFFERENCE", "PROOF_OF_SOFTWARE_OR_SERVICE_NOT_AS_DESCRIBED",
    "PROOF_OF_CONFISCATION", "PROOF_OF_DAMAGE", "COPY_OF_LAW_ENFORCEMENT_AGENCY_REPORT",
    "ADDITIONAL_PROOF_OF_SHIPMENT", "PROOF_OF_DENIAL_BY_CARRIER",
    "THIRDPARTY_PROOF_FOR_DAMAGE_OR_SIGNIFICANT_DIFFERENCE", "VALID_SUPPORTING_DOCUMENT",
    "LEGIBLE_SUPPORTING_DOCUMENT", "RETURN_TRACKING_INFORMATION", "DELIVERY_RECEIPT",
    "PROOF_OF_INSTORE_RECEIPT", "ADDITIONAL_TRACKING_INFORMATION", "PROOF_OF_SHIPMENT_POSTAGE",
    "ONLINE_TRACKING_INFORMATION", "PROOF_OF_INSTORE_REFUND",
    "PROOF_FOR_SOFTWARE_OR_SERVICE_DELIVERED", "RETURN_ADDRESS_FOR_SHIPPING",
    "COPY_OF_THE_EPARCEL_MANIFEST", "COPY_OF_SHIPPING_MANIFEST", "APPEAL_AFFIDAVIT",
    "RECEIPT_OF_REPLACEMENT", "COPY_OF_DRIVERS_LICENSE", "ACCOUNT_CHANGE_INFORMATION",
    "DELIVERY_ADDRESS", "CONFIRMATION_OF_RESOLUTION", "MERCHANT_RESPONSE",
    "PERMISSION_DESCRIPTION", "STATUS_OF_MERCHANDISE", "LOST_CARD_DETAILS",
    "LAST_VALID_TRANSACTION_DETAILS", "ADDITIONAL_PROOF_OF_RETURN", "DECLARATION",
    "PROOF_OF_MISSING_ITEMS", "PROOF_OF_EMPTY_PACKAGE_OR_DIFFERENT_ITEM",
    "PROOF_OF_ITEM_NOT_RECEIVED", "ORDER_DETAILS", "LISTING_URL", "SHIPPING_INSURANCE",
    "BUYER_RESPONSE", "PHOTOS_OF_SHIPPED_ITEM", "OTHER"
})  # fmt: skip
INFO_FIELDS = frozenset({"tracking_number", "carrier_name", "refund_id"})
CARRIER_CODE = re.compile(r"^[0-9A-Z_]+$")
MAX_NOTES, MAX_TRACKING, MAX_REFUNDS = 2000, 10, 100


@dataclass
class Group:
    """What one evidence of one type collects before it is written."""

    notes: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    carriers: list[str] = field(default_factory=list)
    refunds: list[str] = field(default_factory=list)


def refuse(message: str) -> MarketplaceError:
    return MarketplaceError(message, transient=False)


def loose_lines(action: ActionRequest) -> list[str]:
    """Items of no PayPal type, as ``kind: text url`` lines for the notes."""
    lines = []
    for item in action.evidence:
        if item.kind.partition(".")[0] in EVIDENCE_TYPES:
            continue
        words = " ".join(p for p in (item.description.strip(), item.url or "") if p)
        if words:
            lines.append(f"{item.kind}: {words}")
    return lines


def grouped(case: Case, action: ActionRequest) -> list[dict[str, Any]]:
    """One evidence per PayPal type named by the items (and ``params``' tracking/refunds);
    untyped items alone make one evidence of ``params.evidence_type`` or the type asked for."""
    groups: dict[str, Group] = {}
    for item in action.evidence:
        kind, _, part = item.kind.partition(".")
        if kind not in EVIDENCE_TYPES:
            continue
        if part and part not in INFO_FIELDS:
            raise refuse(f"PayPal evidence has no field {part!r} (item kind {item.kind})")
        _add(groups.setdefault(kind, Group()), part, item.description.strip())
    _add_params(groups, action.params)
    requested = [str(t) for t in case.extra.get("requested_evidence") or ()]
    if not groups:  # only untyped items: the type asked for, else PayPal's general one
        asked = action.params.get("evidence_type") or (requested[0] if requested else "OTHER")
        groups[str(asked).upper()] = Group()
    lead = next((t for t in requested if t in groups), next(iter(groups)))
    message = [action.message.strip()] if action.message and action.message.strip() else []
    groups[lead].notes = message + groups[lead].notes + loose_lines(action)
    return [written(kind, group) for kind, group in groups.items()]


def _add(group: Group, part: str, text: str) -> None:
    """Notes as given; an ``evidence_info`` field's text one value per line (an evidence
    packet sends several trackers as lines, numbers and carriers in the same order)."""
    if not text:
        return
    target = {"tracking_number": group.numbers, "carrier_name": group.carriers,
              "refund_id": group.refunds}.get(part)  # fmt: skip
    if target is None:
        group.notes.append(text)
    else:
        target.extend(line.strip() for line in text.splitlines() if line.strip())


def _add_params(groups: dict[str, Group], params: Mapping[str, Any]) -> None:
    """``params.carrier_name`` + ``tracking_number`` and ``params.refund_ids`` still count."""
    if params.get("tracking_number") and params.get("carrier_name"):
        group = groups.setdefault("PROOF_OF_FULFILLMENT", Group())
        group.numbers.append(str(params["tracking_number"]))
        group.carriers.append(str(params["carrier_name"]))
    if isinstance(params.get("refund_ids"), list) and params["refund_ids"]:
        groups.setdefault("PROOF_OF_REFUND", Group()).refunds += map(str, params["refund_ids"])


def written(kind: str, group: Group) -> dict[str, Any]:
    """The evidence object, checked against PayPal's limits and each type's needs."""
    evidence: dict[str, Any] = {"evidence_type": kind}
    notes = "\n".join(group.notes)
    if len(notes) > MAX_NOTES:
        raise refuse(f"PayPal takes {kind} notes of at most {MAX_NOTES} characters, "
                     f"these have {len(notes)}: shorten the evidence text")  # fmt: skip
    if notes:
        evidence["notes"] = notes
    info = _info(kind, group)
    if info:
        evidence["evidence_info"] = info
    if kind == "PROOF_OF_FULFILLMENT" and not info and not notes:
        raise refuse("PROOF_OF_FULFILLMENT needs a carrier and tracking number, or notes")
    if kind == "PROOF_OF_REFUND" and "refund_ids" not in info:
        raise refuse("PROOF_OF_REFUND needs the refund ids (PROOF_OF_REFUND.refund_id)")
    if not info and not notes:
        raise refuse(f"the {kind} evidence has no text")
    return evidence


def _info(kind: str, group: Group) -> dict[str, Any]:
    if len(group.carriers) == 1 and len(group.numbers) > 1:  # one carrier for every number
        group.carriers *= len(group.numbers)
    if len(group.numbers) != len(group.carriers):
        raise refuse(f"{kind}: each tracking number needs its carrier "
                     f"({len(group.numbers)} numbers, {len(group.carriers)} carriers)")  # fmt: skip
    if len(group.numbers) > MAX_TRACKING or len(group.refunds) > MAX_REFUNDS:
        raise refuse(f"PayPal takes at most {MAX_TRACKING} tracking numbers and "
                     f"{MAX_REFUNDS} refund ids per evidence")  # fmt: skip
    info: dict[str, Any] = {}
    if group.numbers:
        info["tracking_info"] = [
            tracking(c, n) for c, n in zip(group.carriers, group.numbers, strict=True)
        ]
    if group.refunds:
        info["refund_ids"] = list(dict.fromkeys(group.refunds))
    return info


def tracking(carrier: str, number: str) -> dict[str, str]:
    """``tracking_info``: a PayPal carrier code as it is, any other name as ``OTHER``."""
    if CARRIER_CODE.match(carrier):
        return {"carrier_name": carrier, "tracking_number": number}
    return {"carrier_name": "OTHER", "carrier_name_other": carrier, "tracking_number": number}


def requested_types(dispute: Mapping[str, Any]) -> Sequence[str]:
    """The evidence types PayPal asks the seller for (``source: REQUESTED_FROM_SELLER``)."""
    return [
        str(item.get("evidence_type"))
        for item in dispute.get("evidences") or ()
        if isinstance(item, Mapping) and item.get("source") == "REQUESTED_FROM_SELLER"
    ]
