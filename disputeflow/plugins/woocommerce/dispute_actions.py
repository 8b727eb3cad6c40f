"""WooPayments disputes answered from disputeflow: accept, contest (or save a draft), files.

Routes of ``class-wc-rest-payments-disputes-controller.php`` and
``class-wc-rest-payments-files-controller.php`` (Automattic/woocommerce-payments, checked
2026-12-04): ``POST /payments/disputes/{id}`` with ``{evidence, submit, metadata}``
(``submit: false`` stages the evidence, ``true`` sends it to the bank), ``POST
/payments/disputes/{id}/close`` (concede), ``POST /payments/file`` (multipart ``file`` and
``purpose``, answering Stripe's file object). These are WooPayments' admin routes: every
error comes back as HTTP 500 with ``data: null`` (see :mod:`.client`).

An inquiry (``warning_*``) is not closed to accept it: WooPayments' own screen offers "Issue
refund" for it ("...will close the inquiry"), and closing a dispute means losing it. So
accepting an inquiry refunds its order in full through the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import ActionRequest, ActionResult, Case, MarketplaceError, evidence_files
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.disputes import DISPUTES_PATH, dispute_snapshot, read_dispute
from disputeflow.plugins.woocommerce.mapping import RESPONSE_DUE_STATUSES

FILES_PATH = "payments/file"
FILE_PURPOSE = "dispute_evidence"
UNDER_REVIEW_STATUSES = frozenset({"under_review", "warning_under_review"})
# Stripe's dispute evidence fields that take text, and those that take an uploaded file id.
STRIPE_TEXT_FIELDS = frozenset({
    "access_activity_log", "billing_address", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_email_address", "customer_name", "customer_purchase_ip",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description",
    "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_tracking_number",
})  # fmt: skip
STRIPE_FILE_FIELDS = frozenset({
    "cancellation_policy", "customer_communication", "customer_signature",
    "duplicate_charge_documentation", "receipt", "refund_policy", "service_documentation",
    "shipping_documentation", "uncategorized_file",
})  # fmt: skip


def dispute_id_of(case: Case) -> str:
    if case.object_type != "dispute":
        raise MarketplaceError(f"case {case.id} is not a WooPayments dispute", transient=False)
    return case.external_id


def is_inquiry(case: Case) -> bool:
    """Stripe's ``warning_*`` statuses are inquiries (pre-dispute)."""
    return str(case.kind) == "inquiry" or (case.platform_status or "").startswith("warning_")


def _metadata(dispute: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = dispute.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _still_open(dispute: Mapping[str, Any], dispute_id: str, wanted: frozenset[str]) -> None:
    """Refuse an action the dispute no longer waits for, saying where it stands."""
    status = dispute.get("status")
    if status not in wanted:
        raise MarketplaceError(
            f"dispute {dispute_id} is {status} on WooPayments: nothing to answer any more",
            transient=False,
        )


def close(client: WooClient, case: Case) -> ActionResult:
    """``POST /payments/disputes/{id}/close``: concede a chargeback. A dispute this merchant
    already closed is the earlier attempt's result."""
    dispute_id = dispute_id_of(case)
    current = read_dispute(client, dispute_id)
    if _metadata(current).get("__closed_by_merchant") == "1":
        return dispute_result(current, dispute_id, "accepted", recovered=True)
    _still_open(current, dispute_id, RESPONSE_DUE_STATUSES | UNDER_REVIEW_STATUSES)
    closed = client.post_json(f"{DISPUTES_PATH}/{dispute_id}/close", {})
    return dispute_result(closed, dispute_id, "accepted", recovered=False)


def contest(client: WooClient, case: Case, action: ActionRequest, meta_key: str) -> ActionResult:
    """``POST /payments/disputes/{id}`` with the evidence (files uploaded first) and
    ``submit``: true (the default) sends it to the bank, ``params.submit = false`` saves a
    draft. Evidence already submitted is the earlier attempt's result (one submission)."""
    dispute_id = dispute_id_of(case)
    submit = action.params.get("submit", True) is not False
    current = read_dispute(client, dispute_id)
    if _metadata(current).get("__evidence_submitted_at"):
        return dispute_result(current, dispute_id, "contested", recovered=True)
    _still_open(current, dispute_id, RESPONSE_DUE_STATUSES)
    evidence = {**upload_files(client, current, action), **evidence_fields(action)}
    body = {"evidence": evidence, "submit": submit, "metadata": {meta_key: action.idempotency_key}}
    updated = client.post_json(f"{DISPUTES_PATH}/{dispute_id}", body)
    verb = "contested" if submit else "evidence saved as a draft for"
    return dispute_result(updated, dispute_id, verb, recovered=False)


def evidence_fields(action: ActionRequest) -> dict[str, str]:
    """Stripe's text evidence fields: an evidence item whose ``kind`` names one fills it with
    its description; other items (with their links), and the message, go together into
    ``uncategorized_text``. Files come through ``params.files`` (:func:`upload_files`)."""
    fields: dict[str, str] = {}
    notes = [action.message.strip()] if action.message and action.message.strip() else []
    for item in action.evidence:
        text = item.description.strip()
        if item.kind in STRIPE_TEXT_FIELDS and text and item.kind not in fields:
            fields[item.kind] = text
            continue
        line = " ".join(part for part in (f"{item.kind}:", text, item.url or "") if part)
        notes.append(line)
    if notes:
        fields["uncategorized_text"] = "\n\n".join(notes)
    if not fields and not action.params.get("files"):
        raise MarketplaceError("contesting needs evidence or a message", transient=False)
    return fields


def _file_uploads(action: ActionRequest) -> list[tuple[str, str, str, bytes]]:
    """``params.files`` (:func:`disputeflow.evidence_files`: ``{filename, content_type,
    content_base64, field}``, or the older ``{document_type, filename, mimetype, data}``);
    ``field`` is one of Stripe's file fields, ``uncategorized_file`` when absent."""
    uploads = []
    for file in evidence_files(action.params):
        kind = file.field or "uncategorized_file"
        if kind not in STRIPE_FILE_FIELDS:
            raise MarketplaceError(f"unknown WooPayments evidence file field {kind!r}")
        if not file.content_type:
            raise MarketplaceError(f"{file.filename}: a dispute file needs its content type")
        uploads.append((kind, file.filename, file.content_type, file.content))
    return uploads


def upload_files(
    client: WooClient, current: Mapping[str, Any], action: ActionRequest
) -> dict[str, str]:
    """Each file to ``POST /payments/file`` (purpose ``dispute_evidence``), its id into its
    evidence field; a field the dispute already holds a file in is not uploaded again."""
    held = current.get("evidence")
    held = held if isinstance(held, Mapping) else {}
    fields: dict[str, str] = {}
    for kind, name, mimetype, content in _file_uploads(action):
        if isinstance(held.get(kind), str) and held[kind].startswith("file_"):
            fields[kind] = held[kind]
            continue
        answer = client.post_files(
            FILES_PATH, {"purpose": FILE_PURPOSE}, {"file": (name, content, mimetype)}
        )
        file_id = answer.get("id") if isinstance(answer, Mapping) else None
        if not isinstance(file_id, str) or not file_id:
            raise MarketplaceError(f"WooPayments answered the upload of {name} without an id")
        fields[kind] = file_id
    return fields


def dispute_result(dispute: Any, dispute_id: str, verb: str, *, recovered: bool) -> ActionResult:
    snapshot = None
    if isinstance(dispute, Mapping) and (dispute.get("id") or dispute.get("dispute_id")):
        snapshot = dispute_snapshot(dispute)
    return ActionResult(
        external_id=dispute_id,
        message=f"dispute {dispute_id} {verb}",
        snapshot=snapshot,
        data={"recovered": recovered},
    )
