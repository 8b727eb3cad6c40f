"""The evidence of a contest, in Stripe's dispute evidence fields.

Text fields take the description of an evidence item whose ``kind`` names them; file fields
take the id of a file uploaded first through the Files API (``purpose=dispute_evidence``,
https://docs.stripe.com/api/files/create). Everything else (other items with their links,
and the merchant's message) goes together into ``uncategorized_text``. Field names from the
``evidence`` hash of https://docs.stripe.com/api/disputes/update (stripe-python
``DisputeModifyParamsEvidence``, 6c6e373; checked 2026-12-04).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import ActionRequest, MarketplaceError, evidence_files
from disputeflow.plugins.stripe.client import StripeClient
from disputeflow.plugins.stripe.disputes import FILE_FIELDS
from disputeflow.plugins.stripe.objects import object_id

TEXT_FIELDS = frozenset({
    "access_activity_log", "billing_address", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_email_address", "customer_name", "customer_purchase_ip",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description",
    "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_tracking_number",
})  # fmt: skip
TEXT_LIMIT = 20_000  # "Has a maximum character count of 20,000" (the long text fields)
FILE_PURPOSE = "dispute_evidence"


def text_fields(action: ActionRequest) -> dict[str, str]:
    """Stripe's text fields from the action's evidence and message."""
    fields: dict[str, str] = {}
    notes = [action.message.strip()] if action.message and action.message.strip() else []
    for item in action.evidence:
        text = item.description.strip()
        if item.kind in TEXT_FIELDS and text and item.kind not in fields:
            fields[item.kind] = text[:TEXT_LIMIT]
            continue
        line = " ".join(part for part in (f"{item.kind}:", text, item.url or "") if part)
        notes.append(line)
    if notes:
        fields["uncategorized_text"] = "\n\n".join(notes)[:TEXT_LIMIT]
    return fields


def file_uploads(action: ActionRequest) -> list[tuple[str, str, str, bytes]]:
    """``params.files`` (:func:`disputeflow.evidence_files`: ``{filename, content_type,
    content_base64, field}``, or the older ``{document_type, filename, mimetype, data}``);
    ``field`` is a Stripe file field, ``uncategorized_file`` when absent."""
    uploads = []
    for file in evidence_files(action.params):
        kind = file.field or "uncategorized_file"
        if kind not in FILE_FIELDS:
            raise MarketplaceError(
                f"{kind!r} is not a Stripe evidence file field ({', '.join(sorted(FILE_FIELDS))})"
            )
        if not file.content_type:
            raise MarketplaceError(f"{file.filename}: a dispute file needs its content type")
        uploads.append((kind, file.filename, file.content_type, file.content))
    return uploads


def upload_files(
    client: StripeClient, dispute: Mapping[str, Any], action: ActionRequest
) -> dict[str, str]:
    """Each file to ``POST /v1/files``, its id into its field; a field the dispute already
    holds a file in (an earlier attempt's) is not uploaded again."""
    held = dispute.get("evidence")
    held = held if isinstance(held, Mapping) else {}
    fields: dict[str, str] = {}
    for kind, name, mimetype, content in file_uploads(action):
        existing = object_id(held.get(kind))
        if existing is not None:
            fields[kind] = existing
            continue
        answer = client.upload(
            name,
            content,
            mimetype,
            purpose=FILE_PURPOSE,
            idempotency_key=f"{action.idempotency_key}:file:{kind}",
        )
        file_id = answer.get("id")
        if not isinstance(file_id, str) or not file_id.startswith("file_"):
            raise MarketplaceError(f"Stripe answered the upload of {name} without a file id")
        fields[kind] = file_id
    return fields
