"""Accepting and contesting payment disputes, with evidence, at the revision the merchant saw.

Every accept or contest names the dispute's ``revision``. The revision sent is the one the
merchant decided on (``params.revision``, else the case's last known one): when eBay's
dispute has moved on since (a read shows another revision, or eBay answers 409), the
action fails with :class:`RevisionConflict` naming what changed, and is never retried with
a newer revision behind the merchant's back. Evidence files (JPEG or PNG, at most 1.5 MB,
``params.files`` = ``[{"filename", "content_type", "content_base64"}]``) are uploaded and
added as one evidence of ``params.evidence_type`` before the contest, as eBay requires.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Case,
    CaseSnapshot,
    MarketplaceError,
)
from disputeflow.plugins.ebay.actions import refuse
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.errors import RevisionConflict
from disputeflow.plugins.ebay.objects import fetch
from disputeflow.plugins.ebay.values import dig, text

MAX_FILE_BYTES = 1_500_000
FILE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
EVIDENCE_TYPE = re.compile(r"^[A-Z][A-Z_]{2,60}$")
DONE = {ActionType.ACCEPT: "ACCEPT", ActionType.CONTEST: "CONTEST"}


def _files(action: ActionRequest) -> list[tuple[str, bytes, str]]:
    """``(filename, content, content type)`` of each evidence file, validated."""
    files = action.params.get("files") or []
    if not isinstance(files, list):
        raise refuse("params.files must be a list of files")
    decoded = []
    for item in files:
        name = str(dig(item, "filename") or "")
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if suffix not in FILE_TYPES:
            raise refuse(f"eBay takes JPEG or PNG evidence files, not {name!r}")
        try:
            content = base64.b64decode(str(dig(item, "content_base64") or ""), validate=True)
        except (ValueError, binascii.Error):
            raise refuse(f"{name}: content_base64 is not base64") from None
        if not content or len(content) > MAX_FILE_BYTES:
            raise refuse(f"{name}: eBay takes files of 1 byte to 1.5 MB")
        decoded.append((name, content, FILE_TYPES[suffix]))
    return decoded


def check_dispute_params(action: ActionRequest) -> str | None:
    """Why eBay cannot take ``action`` as asked, or ``None``."""
    try:
        files = _files(action)
    except MarketplaceError as error:
        return error.message
    evidence_type = action.params.get("evidence_type")
    if files and not (isinstance(evidence_type, str) and EVIDENCE_TYPE.match(evidence_type)):
        return "evidence files need params.evidence_type (e.g. PROOF_OF_ITEM_AS_DESCRIBED)"
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
            data = self._add_evidence(case, action, current, files)
            current = self._read(case)  # our own evidence moved the revision on
        self._send(case, action, current)
        data["revision"] = current.get("revision")
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
        self,
        case: Case,
        action: ActionRequest,
        current: dict[str, Any],
        files: list[tuple[str, bytes, str]],
    ) -> dict[str, Any]:
        file_ids = []
        for name, content, content_type in files:
            answer = self.api.fulfillment(
                "POST", self._path(case, "upload_evidence_file"),
                files={"file": (name, content, content_type)},
            )  # fmt: skip
            file_ids.append(str(dig(answer.body, "fileId")))
        body = {
            "evidenceType": action.params["evidence_type"],
            "files": [{"fileId": file_id} for file_id in file_ids],
            "lineItems": current.get("lineItems") or [],
        }
        answer = self.api.fulfillment("POST", self._path(case, "add_evidence"), json=body)
        return {"file_ids": file_ids, "evidence_id": text(dig(answer.body, "evidenceId"))}

    def _send(self, case: Case, action: ActionRequest, current: dict[str, Any]) -> None:
        body: dict[str, Any] = {"revision": current.get("revision")}
        if isinstance(action.params.get("return_address"), dict):
            body["returnAddress"] = action.params["return_address"]
        if action.type is ActionType.CONTEST and action.message:
            body["note"] = action.message
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
