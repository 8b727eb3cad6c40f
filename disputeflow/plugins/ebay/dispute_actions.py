"""Accepting and contesting payment disputes, with evidence, at the revision the merchant saw.

Every accept or contest names the dispute's ``revision``. The revision sent is the one the
merchant decided on (``params.revision``, else the case's last known one): when eBay's
dispute has moved on since (a read shows another revision, or eBay answers 409), the
action fails with :class:`RevisionConflict` naming what changed, and is never retried with
a newer revision behind the merchant's back. Evidence files (JPEG or PNG, at most 1.5 MB,
``params.files`` = ``[{"filename", "content_type", "content_base64", "field"}]``, read by
:func:`disputeflow.evidence_files`) are uploaded and added before the contest, as eBay
requires: one evidence per evidence type, each file's own ``field`` (or ``evidence_type``)
or else ``params.evidence_type`` (uploadEvidenceFile: "The three image formats supported at
this time are .JPEG, .JPG, and .PNG", developer.ebay.com/api-docs/sell/fulfillment/resources/
payment_dispute/methods/uploadEvidenceFile, checked 2026-12-05). The contest's ``note`` (at
most 1,000 characters, ContestPaymentDisputeRequest, checked 2026-12-05) is the message,
then one line per evidence item (``kind: text``) while they fit; the items left out are
named in the result (``note_left_out``).
"""

from __future__ import annotations

import re
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseSnapshot,
    EvidenceFile,
    MarketplaceError,
    evidence_files,
)
from disputeflow.plugins.ebay.actions import refuse
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.errors import RevisionConflict
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.values import dig, text

MAX_FILE_BYTES = 1_500_000
FILE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
IMAGE_TYPES = frozenset(FILE_TYPES.values())
EVIDENCE_TYPE = re.compile(r"^[A-Z][A-Z_]{2,60}$")
# EvidenceTypeEnum's values as eBay documents them
# (https://developer.ebay.com/api-docs/sell/fulfillment/types/api:EvidenceTypeEnum, checked
# 2026-12-05; the page's list ends in a value cut off where we read it, so a type matching
# EVIDENCE_TYPE is still sent as given).
EVIDENCE_TYPES = frozenset({
    "PROOF_OF_DELIVERY", "PROOF_OF_AUTHENTICITY", "PROOF_OF_ITEM_AS_DESCRIBED",
    "PROOF_OF_CREDIT_NOT_DUE", "PROOF_OF_RETURN_NOT_RECEIVED", "PROOF_OF_DELIVERY_AS_FILE",
    "PROOF_OF_DELIVERY_SIGNATURE", "PROOF_OF_PICKUP",
})  # fmt: skip
DONE = {ActionType.ACCEPT: "ACCEPT", ActionType.CONTEST: "CONTEST"}
MAX_NOTE = 1000


def contest_note(action: ActionRequest) -> tuple[str, list[str]]:
    """The message, then ``kind: text`` per item while the note stays within eBay's limit;
    ``(note, kinds of the items left out)``."""
    note = (action.message or "").strip()
    left_out = []
    for item in action.evidence:
        words = " ".join(p for p in (item.description.strip(), item.url or "") if p)
        if not words:
            continue
        line = f"{item.kind}: {words}"
        longer = f"{note}\n{line}" if note else line
        if len(longer) <= MAX_NOTE:
            note = longer
        else:
            left_out.append(item.kind)
    return note, left_out


def _content_type(file: EvidenceFile) -> str:
    """``image/jpeg`` or ``image/png`` from the file's content type, else from its name."""
    suffix = file.filename[file.filename.rfind(".") :].lower() if "." in file.filename else ""
    kind = file.content_type or FILE_TYPES.get(suffix)
    if kind not in IMAGE_TYPES:
        shown = f"{file.content_type} ({file.filename})" if file.content_type else file.filename
        raise refuse(f"eBay takes JPEG or PNG evidence files, not {shown}")
    return str(kind)


def _files(action: ActionRequest) -> list[tuple[str, bytes, str, str]]:
    """``(filename, content, content type, evidence type)`` of each file of ``params.files``
    (:func:`disputeflow.evidence_files`; its ``field``, or the older ``evidence_type``, is
    the eBay evidence type, else ``params.evidence_type``), validated."""
    decoded = []
    for file in evidence_files(action.params):
        content_type = _content_type(file)
        if len(file.content) > MAX_FILE_BYTES:
            raise refuse(f"{file.filename}: eBay takes files of 1 byte to 1.5 MB")
        kind = file.field or action.params.get("evidence_type")
        if not (isinstance(kind, str) and EVIDENCE_TYPE.match(kind)):
            raise refuse(
                f"{file.filename}: evidence files need an evidence_type (e.g. PROOF_OF_DELIVERY)"
            )
        decoded.append((file.filename, file.content, content_type, kind))
    return decoded


def check_dispute_params(action: ActionRequest) -> str | None:
    """Why eBay cannot take ``action`` as asked, or ``None``."""
    try:
        _files(action)
    except MarketplaceError as error:
        return error.message
    if len((action.message or "").strip()) > MAX_NOTE:
        return f"eBay takes a contest note of at most {MAX_NOTE} characters"
    revision = action.params.get("revision")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        return "params.revision must be an integer"
    return None


class DisputeActions:
    """Actions on one connection's payment disputes."""

    def __init__(self, api: EbayApi) -> None:
        self.api = api

    def perform(self, case: Case, action: ActionRequest) -> ActionResult:
        problem = check_dispute_params(action)
        if problem:
            raise refuse(problem)
        current = self._read(case)
        wanted = DONE[action.type]
        if text(current.get("sellerResponse")) == wanted:
            return ActionResult(message=f"already {wanted.lower()}ed on eBay",
                                snapshot=self._reread(case))  # fmt: skip
        if current.get("paymentDisputeStatus") == "CLOSED":
            raise refuse("the payment dispute is closed on eBay")
        self._check_revision(case, action, current)
        data: dict[str, Any] = {}
        if action.type is ActionType.CONTEST and (files := _files(action)):
            data = self._add_evidence(case, current, files)
            current = self._read(case)  # our own evidence moved the revision on
        note, left_out = contest_note(action) if action.type is ActionType.CONTEST else ("", [])
        self._send(case, action, current, note)
        data["revision"] = current.get("revision")
        if left_out:
            data["note_left_out"] = left_out
        return ActionResult(message=f"dispute {wanted.lower()}ed", data=data,
                            snapshot=self._reread(case))  # fmt: skip

    def _path(self, case: Case, verb: str = "") -> str:
        suffix = f"/{verb}" if verb else ""
        return f"payment_dispute/{segment(case.external_id)}{suffix}"

    def _read(self, case: Case) -> dict[str, Any]:
        body = self.api.fulfillment("GET", self._path(case)).body
        return body if isinstance(body, dict) else {}

    def _reread(self, case: Case) -> CaseSnapshot | None:
        try:
            return fetch(self.api, "payment_dispute", case.external_id)[1]
        except MarketplaceError:
            return None

    def _check_revision(self, case: Case, action: ActionRequest, current: dict[str, Any]) -> None:
        seen = action.params.get("revision", case.extra.get("revision"))
        now = current.get("revision")
        if seen is not None and now is not None and seen != now:
            raise RevisionConflict(
                f"the payment dispute changed on eBay since revision {seen} (now revision "
                f"{now}, {current.get('paymentDisputeStatus')}): review it and ask again",
                current=current,
            )

    def _add_evidence(
        self, case: Case, current: dict[str, Any], files: list[tuple[str, bytes, str, str]]
    ) -> dict[str, Any]:
        """Upload every file, then one ``add_evidence`` per evidence type."""
        file_ids: list[str] = []
        by_type: dict[str, list[str]] = {}
        for name, content, content_type, kind in files:
            answer = self.api.fulfillment(
                "POST", self._path(case, "upload_evidence_file"),
                files={"file": (name, content, content_type)},
            )  # fmt: skip
            file_ids.append(str(dig(answer.body, "fileId")))
            by_type.setdefault(kind, []).append(file_ids[-1])
        evidence_ids = []
        for kind, ids in by_type.items():
            body = {
                "evidenceType": kind,
                "files": [{"fileId": file_id} for file_id in ids],
                "lineItems": current.get("lineItems") or [],
            }
            answer = self.api.fulfillment("POST", self._path(case, "add_evidence"), json=body)
            evidence_ids.append(text(dig(answer.body, "evidenceId")))
        data: dict[str, Any] = {"file_ids": file_ids, "evidence_id": evidence_ids[0]}
        if len(evidence_ids) > 1:
            data["evidence_ids"] = evidence_ids
        return data

    def _send(self, case: Case, action: ActionRequest, current: dict[str, Any], note: str) -> None:
        body: dict[str, Any] = {"revision": current.get("revision")}
        if isinstance(action.params.get("return_address"), dict):
            body["returnAddress"] = action.params["return_address"]
        if note:
            body["note"] = note
        verb = DONE[action.type].lower()
        try:
            self.api.fulfillment("POST", self._path(case, verb), json=body)
        except MarketplaceError as error:
            if error.platform_status != 409:
                raise
            now = self._read(case)
            raise RevisionConflict(
                f"eBay refused {verb} at revision {body['revision']} (409): the dispute is "
                f"now at revision {now.get('revision')}, {now.get('paymentDisputeStatus')}; "
                f"review it and ask again",
                current=now,
            ) from None
