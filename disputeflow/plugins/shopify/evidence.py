"""Contesting a dispute: evidence text, fulfillment tracking, files, then the submit.

Shopify's evidence endpoints are REST (``dispute_evidences.json`` and
``dispute_file_uploads.json``, the only documented way to upload a dispute file). The
current evidence is read first: a dispute whose evidence was already submitted is not
submitted again, and a file kind already attached is not uploaded again, so a retried
action repeats nothing.
"""

from __future__ import annotations

from typing import Any

from disputeflow import ActionRequest, ActionResult, Case, MarketplaceError
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import numeric_id

TEXT_FIELDS = frozenset(
    {
        "access_activity_log",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "customer_email_address",
        "customer_first_name",
        "customer_last_name",
        "product_description",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "uncategorized_text",
        "shipping_address_attributes",
    }
)
FILE_TYPES = frozenset(
    {
        "cancellation_policy_file",
        "customer_communication_file",
        "customer_signature_file",
        "refund_policy_file",
        "service_documentation_file",
        "shipping_documentation_file",
        "uncategorized_file",
    }
)


def _path(case: Case, name: str) -> str:
    return f"shopify_payments/disputes/{case.external_id}/{name}.json"


def _update(case: Case, action: ActionRequest) -> dict[str, Any]:
    """The evidence fields to write: ``params.evidence_fields`` (Shopify's field names), the
    message and the case's evidence as text, ``params.fulfillments`` as tracking."""
    given = dict(action.params.get("evidence_fields") or {})
    unknown = set(given) - TEXT_FIELDS
    if unknown:
        raise MarketplaceError(f"unknown Shopify evidence fields: {', '.join(sorted(unknown))}")
    notes = [action.message or ""] + [
        f"{item.kind}: {item.description} {item.url or ''}".strip() for item in action.evidence
    ]
    text = "\n".join(note for note in notes if note)
    if text and "uncategorized_text" not in given:
        given["uncategorized_text"] = text
    fulfillments = action.params.get("fulfillments")
    if fulfillments:
        given["fulfillments_attributes"] = [
            {k: str(v) for k, v in f.items() if k in ("shipping_carrier",
             "shipping_tracking_number", "shipping_date")} for f in fulfillments
        ]  # fmt: skip
    return given


def _upload_files(
    client: ShopifyClient, case: Case, action: ActionRequest, attached: dict[str, Any]
) -> list[str]:
    uploaded = []
    for upload in action.params.get("files") or ():
        kind = upload.get("document_type")
        if kind not in FILE_TYPES:
            raise MarketplaceError(f"unknown Shopify dispute file type {kind!r}")
        if attached.get(f"{kind}_id"):
            continue  # attached by an earlier attempt (or by hand): never twice
        fields = {name: upload.get(name) for name in ("filename", "mimetype", "data")}
        if not all(fields.values()):
            raise MarketplaceError("a dispute file needs filename, mimetype and base64 data")
        body = {"dispute_file_upload": {"document_type": kind, **fields}}
        answer = client.rest("POST", _path(case, "dispute_file_uploads"), json=body)
        uploaded.append(str(numeric_id((answer.get("dispute_file_upload") or {}).get("id"))))
    return uploaded


def contest(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """Write the evidence and submit it (unless ``params.submit`` is false)."""
    current = client.rest("GET", _path(case, "dispute_evidences")).get("dispute_evidence") or {}
    evidence_id = numeric_id(current.get("id"))
    if current.get("submitted_by_merchant_on"):
        return ActionResult(external_id=evidence_id, message="evidence was already submitted",
                            data={"submitted": True, "repeated": True})  # fmt: skip
    update = _update(case, action)
    uploaded = _upload_files(client, case, action, current.get("dispute_evidence_files") or {})
    if update:
        client.rest("PUT", _path(case, "dispute_evidences"), json={"dispute_evidence": update})
    submit = action.params.get("submit", True) is not False
    if submit:
        body = {"dispute_evidence": {"submit_evidence": True}}
        client.rest("PUT", _path(case, "dispute_evidences"), json=body)
    return ActionResult(
        external_id=evidence_id,
        message="evidence submitted" if submit else "evidence saved (not submitted)",
        data={"submitted": submit, "uploaded_files": uploaded, "fields": sorted(update)},
    )
