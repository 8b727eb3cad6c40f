"""The request bodies of PayPal's dispute actions, built and checked before anything is sent.

Each body is the one PayPal's guide "Use Disputes API" shows for the call
(https://docs.paypal.ai/growth/disputes/handle-disputes/use-disputes-api, checked 2026-12-04):
``accept-claim`` ``{"note", "accept_claim_type", "refund_amount"}``, ``make-offer`` ``{"note",
"offer_amount", "offer_type"}``, ``acknowledge-return-item`` ``{"note",
"acknowledgement_type"}``, ``escalate`` ``{"note"}``, ``send-message`` ``{"message"}``,
``provide-supporting-info`` ``{"notes"}``, and ``provide-evidence`` / ``appeal`` as
``multipart/form-data`` with ``{"evidences": [...]}`` in the ``input`` part and the files
after it. Files: JPG, GIF, PNG or PDF, under 10 MB each and 50 MB per call
(https://developer.paypal.com/platforms/disputes/reference/supported-file-types-sizes,
checked 2026-12-04); they come as ``params.files`` = ``[{"filename", "content_type",
"content_base64"}]`` (:func:`disputeflow.evidence_files`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import ActionRequest, Case, MarketplaceError, Money, evidence_files
from disputeflow.plugins.paypal import evidence_body
from disputeflow.plugins.paypal.api import Upload

FILE_TYPES = {"image/jpeg", "image/gif", "image/png", "application/pdf"}
MAX_FILE = 10 * 1024 * 1024
MAX_FILES = 50 * 1024 * 1024
MAX_NOTE = 2000


def refuse(message: str) -> MarketplaceError:
    """A refusal the merchant must act on, before any call (never retried)."""
    return MarketplaceError(message, transient=False)


def note(action: ActionRequest, default: str) -> str:
    """The merchant's words for PayPal: the message, else the rationale, else ``default``."""
    words = (action.message or action.rationale or default).strip() or default
    return words[:MAX_NOTE]


def money(amount: Money) -> dict[str, str]:
    """PayPal's ``money`` object."""
    return {"currency_code": amount.currency, "value": str(amount.value)}


def allowed(case: Case, option: str) -> list[str]:
    """The types PayPal allows for ``option`` (``accept_claim``, ``make_offer``, ...)."""
    options = case.extra.get("allowed_response_options") or {}
    return list(options.get(option) or ()) if isinstance(options, Mapping) else []


def pick(case: Case, option: str, wanted: Any, default: str) -> str:
    """``wanted`` (or ``default``) when PayPal allows it for ``option``; else a refusal."""
    choice = str(wanted or default).upper()
    offered = allowed(case, option)
    if offered and choice not in offered:
        raise refuse(f"PayPal allows {option} only as {', '.join(offered)}, not {choice}")
    return choice


def uploads(params: Mapping[str, Any]) -> list[Upload]:
    """The files in ``params.files`` (:func:`disputeflow.evidence_files`), checked against
    PayPal's types and sizes; a file's ``field`` is not used (PayPal attaches files to the
    call, not to an evidence)."""
    found, total = [], 0
    for file in evidence_files(params):
        kind = file.content_type or ""
        if kind not in FILE_TYPES:
            raise refuse(f"PayPal takes JPG, GIF, PNG or PDF files, not {kind or 'untyped'}")
        total += len(file.content)
        if len(file.content) >= MAX_FILE or total > MAX_FILES:
            raise refuse("PayPal takes files under 10 MB each and 50 MB per call")
        found.append(Upload(file.filename, kind, file.content))
    return found


def accept_claim(case: Case, action: ActionRequest) -> dict[str, Any]:
    """``accept-claim``: the refund type PayPal allows, the amount when partial."""
    full = action.amount is None or case.amount is None or action.amount >= case.amount
    kind = pick(case, "accept_claim", action.params.get("accept_claim_type"),
                "REFUND" if full else "PARTIAL_REFUND")  # fmt: skip
    body: dict[str, Any] = {"note": note(action, "Accepting the claim.")}
    if allowed(case, "accept_claim"):
        body["accept_claim_type"] = kind
    if kind == "PARTIAL_REFUND":
        if action.amount is None:
            raise refuse("a partial refund needs an amount")
        if case.platform_reason == "MERCHANDISE_OR_SERVICE_NOT_RECEIVED":
            raise refuse("PayPal takes no refund amount when accepting a not-received claim")
        body["refund_amount"] = money(action.amount)
    if action.params.get("accept_claim_reason"):
        body["accept_claim_reason"] = str(action.params["accept_claim_reason"])
    return body


def make_offer(case: Case, action: ActionRequest) -> dict[str, Any]:
    """``make-offer``: a refund (or the offer type asked for) of the action's amount."""
    kind = pick(case, "make_offer", action.params.get("offer_type"), "REFUND")
    body: dict[str, Any] = {"note": note(action, "Offering a refund."), "offer_type": kind}
    amount = action.amount or case.amount
    if kind != "REPLACEMENT_WITHOUT_REFUND":
        if amount is None:
            raise refuse("an offer needs an amount")
        body["offer_amount"] = money(amount)
    if isinstance(action.params.get("return_shipping_address"), Mapping):
        body["return_shipping_address"] = dict(action.params["return_shipping_address"])
    return body


def acknowledge(case: Case, action: ActionRequest, *, accepting: bool) -> dict[str, Any]:
    """``acknowledge-return-item``: received (accepting), or what was wrong (contesting: the
    merchant names it in ``params.acknowledgement_type``; it is never guessed)."""
    wanted = action.params.get("acknowledgement_type")
    if not accepting and (not wanted or str(wanted).upper() == "ITEM_RECEIVED"):
        raise refuse("to contest a returned item, name what was wrong (acknowledgement_type)")
    kind = pick(case, "acknowledge_return_item", wanted, "ITEM_RECEIVED")
    return {"note": note(action, "Returned item checked."), "acknowledgement_type": kind}


def evidences(case: Case, action: ActionRequest) -> dict[str, Any]:
    """``provide-evidence`` / ``appeal`` input: with evidence items, one evidence per PayPal
    type they name (:mod:`.evidence_body`); with none, one evidence of
    ``params.evidence_type`` (else the first PayPal requested, else ``OTHER``), its notes the
    message (an evidence packet whose items are all free text comes this way)."""
    if action.evidence:
        return {"evidences": evidence_body.grouped(case, action)}
    params = action.params
    requested = list(case.extra.get("requested_evidence") or ())
    kind = str(params.get("evidence_type") or (requested[0] if requested else "OTHER")).upper()
    evidence: dict[str, Any] = {"evidence_type": kind, "notes": note(action, "See documents.")}
    info: dict[str, Any] = {}
    if params.get("tracking_number") and params.get("carrier_name"):
        info["tracking_info"] = [{"carrier_name": str(params["carrier_name"]),
                                  "tracking_number": str(params["tracking_number"])}]  # fmt: skip
    if isinstance(params.get("refund_ids"), list) and params["refund_ids"]:
        info["refund_ids"] = [str(r) for r in params["refund_ids"]]
    words = bool(action.message and action.message.strip()) or bool(params.get("files"))
    if kind == "PROOF_OF_FULFILLMENT" and "tracking_info" not in info and not words:
        # the reasons page: "a carrier and tracking number, or notes or documents"
        raise refuse(
            "PROOF_OF_FULFILLMENT needs params.carrier_name and params.tracking_number "
            "(or a message or documents)"
        )
    if kind == "PROOF_OF_REFUND" and "refund_ids" not in info:
        raise refuse("PROOF_OF_REFUND needs params.refund_ids")
    if info:
        evidence["evidence_info"] = info
    return {"evidences": [evidence]}
