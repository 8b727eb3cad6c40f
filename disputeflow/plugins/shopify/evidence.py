"""Contesting a dispute: evidence text and the submit through GraphQL, files through REST.

Text fields and the final submit go through ``disputeEvidenceUpdate`` (GraphQL; REST
evidence is legacy and new public apps must be GraphQL-only). Two things stable GraphQL
cannot do stay on REST: uploading a dispute file (``dispute_file_uploads.json``; GraphQL
uploads exist only in ``unstable``) and adding fulfillment tracking rows
(``ShopifyPaymentsDisputeEvidenceUpdateInput`` has no fulfillment field). Both are read
before they are written, so a retried action uploads no file twice and adds no tracking row
twice. A text field the merchant already filled in on Shopify is never overwritten: our
notes are appended to ``uncategorizedText``, any other filled field is left as it is.
Pages: shopify.dev/docs/api/admin-graphql/2026-10/mutations/disputeEvidenceUpdate,
.../input-objects/ShopifyPaymentsDisputeEvidenceUpdateInput,
shopify.dev/docs/api/admin-rest/2026-10/resources/dispute-evidence and
.../dispute-file-upload; checked 2026-12-04.
"""

from __future__ import annotations

from typing import Any

from disputeflow import ActionRequest, ActionResult, Case, MarketplaceError, evidence_files
from disputeflow.plugins.shopify import queries
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.values import gid, numeric_id

# Shopify's REST names (what ``params.evidence_fields`` uses) -> the GraphQL input fields.
TEXT_FIELDS = {
    "access_activity_log": "accessActivityLog",
    "cancellation_policy_disclosure": "cancellationPolicyDisclosure",
    "cancellation_rebuttal": "cancellationRebuttal",
    "customer_email_address": "customerEmailAddress",
    "customer_first_name": "customerFirstName",
    "customer_last_name": "customerLastName",
    "refund_policy_disclosure": "refundPolicyDisclosure",
    "refund_refusal_explanation": "refundRefusalExplanation",
    "uncategorized_text": "uncategorizedText",
}
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
TRACKING = ("shipping_carrier", "shipping_tracking_number", "shipping_date")


def _path(case: Case, name: str) -> str:
    return f"shopify_payments/disputes/{case.external_id}/{name}.json"


def _notes(action: ActionRequest) -> str:
    """The message and the action's evidence items no text field takes, as one text."""
    notes = [action.message or ""] + [
        f"{item.kind}: {item.description} {item.url or ''}".strip()
        for item in action.evidence
        if item.kind not in TEXT_FIELDS
    ]
    return "\n".join(note for note in notes if note)


def _wanted(action: ActionRequest) -> dict[str, str]:
    """The GraphQL text fields this action wants written: evidence items whose ``kind`` is a
    field's REST name (as an evidence packet sends them), then ``params.evidence_fields``."""
    given = {
        item.kind: item.description
        for item in action.evidence
        if item.kind in TEXT_FIELDS and item.description.strip()
    }
    given.update(action.params.get("evidence_fields") or {})
    unknown = set(given) - set(TEXT_FIELDS)
    if unknown:
        raise MarketplaceError(f"unknown Shopify evidence fields: {', '.join(sorted(unknown))}")
    wanted = {TEXT_FIELDS[name]: str(value) for name, value in given.items() if value}
    notes = _notes(action)
    if notes:
        own = wanted.get("uncategorizedText")
        wanted["uncategorizedText"] = f"{own}\n{notes}" if own else notes
    return wanted


def _merge(current: dict[str, Any], wanted: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What to send without losing the merchant's text, and the fields left as they were.

    ``uncategorizedText`` already on Shopify keeps its text and gets ours appended (once:
    a retry finds it there); any other field already filled in on Shopify is kept."""
    send: dict[str, str] = {}
    kept = []
    for field, value in wanted.items():
        there = (current.get(field) or "").strip()
        if not there or there == value.strip():
            send[field] = value
        elif field == "uncategorizedText":
            if value.strip() not in there:
                send[field] = f"{there}\n\n{value}"
        else:
            kept.append(field)
    return {k: v for k, v in send.items() if (current.get(k) or "").strip() != v.strip()}, kept


def _rest_evidence(client: ShopifyClient, case: Case, action: ActionRequest) -> dict[str, Any]:
    """The REST evidence, read only when files or tracking rows are to be written."""
    if not (action.params.get("files") or action.params.get("fulfillments")):
        return {}
    answer = client.rest("GET", _path(case, "dispute_evidences"))
    found = answer.get("dispute_evidence")
    return found if isinstance(found, dict) else {}


def _upload_files(
    client: ShopifyClient, case: Case, action: ActionRequest, attached: dict[str, Any]
) -> list[str]:
    """``params.files`` (:func:`disputeflow.evidence_files`), each to Shopify's dispute file
    uploads as ``{document_type, filename, mimetype, data}``; ``field`` (or the older
    ``document_type``) is a Shopify file type, ``uncategorized_file`` when absent."""
    uploaded = []
    for file in evidence_files(action.params):
        kind = file.field or "uncategorized_file"
        if kind not in FILE_TYPES:
            raise MarketplaceError(f"unknown Shopify dispute file type {kind!r}")
        if attached.get(f"{kind}_id"):
            continue  # attached by an earlier attempt (or by hand): never twice
        if not file.content_type:
            raise MarketplaceError(f"{file.filename}: a dispute file needs its content type")
        fields = {"filename": file.filename, "mimetype": file.content_type,
                  "data": file.content_base64}  # fmt: skip
        body = {"dispute_file_upload": {"document_type": kind, **fields}}
        answer = client.rest("POST", _path(case, "dispute_file_uploads"), json=body)
        uploaded.append(str(numeric_id((answer.get("dispute_file_upload") or {}).get("id"))))
    return uploaded


def _row_key(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row.get("shipping_carrier") or "").strip().lower(),
            str(row.get("shipping_tracking_number") or "").strip())  # fmt: skip


def _add_tracking(
    client: ShopifyClient, case: Case, action: ActionRequest, current: dict[str, Any]
) -> int:
    """Add the tracking rows not already on the evidence (REST appends every row it gets)."""
    known = {_row_key(row) for row in current.get("fulfillments") or () if isinstance(row, dict)}
    rows = []
    for given in action.params.get("fulfillments") or ():
        row = {k: str(v) for k, v in given.items() if k in TRACKING and v is not None}
        if _row_key(row) not in known:
            known.add(_row_key(row))
            rows.append(row)
    if rows:
        body = {"dispute_evidence": {"fulfillments_attributes": rows}}
        client.rest("PUT", _path(case, "dispute_evidences"), json=body)
    return len(rows)


def contest(client: ShopifyClient, case: Case, action: ActionRequest) -> ActionResult:
    """Write the evidence and submit it (unless ``params.submit`` is false)."""
    wanted = _wanted(action)
    dispute = client.graphql(
        queries.DISPUTE_EVIDENCE, {"id": gid("ShopifyPaymentsDispute", case.external_id)}
    ).get("dispute")
    evidence = dispute.get("disputeEvidence") if isinstance(dispute, dict) else None
    if not isinstance(dispute, dict) or not isinstance(evidence, dict):
        raise MarketplaceError(f"Shopify has no dispute {case.external_id}", platform_status=404)
    evidence_id = numeric_id(evidence.get("id"))
    if dispute.get("evidenceSentOn"):
        return ActionResult(external_id=evidence_id, message="evidence was already submitted",
                            data={"submitted": True, "repeated": True})  # fmt: skip
    rest = _rest_evidence(client, case, action)
    uploaded = _upload_files(client, case, action, rest.get("dispute_evidence_files") or {})
    tracking = _add_tracking(client, case, action, rest)
    send, kept = _merge(evidence, wanted)
    submit = action.params.get("submit", True) is not False
    if send or submit:
        variables = {
            "id": evidence["id"],
            "input": {**send, **({"submitEvidence": True} if submit else {})},
        }
        client.mutate(queries.DISPUTE_EVIDENCE_UPDATE, variables, "disputeEvidenceUpdate")
    return ActionResult(
        external_id=evidence_id,
        message="evidence submitted" if submit else "evidence saved (not submitted)",
        data={"submitted": submit, "uploaded_files": uploaded, "fields": sorted(send),
              "kept": sorted(kept), "tracking_rows_added": tracking},
    )  # fmt: skip
