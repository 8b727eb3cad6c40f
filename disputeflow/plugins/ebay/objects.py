"""eBay's five dispute objects, by the ``object_type`` their cases carry.

``return``, ``inquiry`` and ``case`` ids come from one Post-Order numbering family and a
``payment_dispute`` id from another; keeping the type in every case means two objects that
share a number stay two cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from disputeflow import CaseSnapshot, SnapshotError
from disputeflow.plugins.ebay.api import EbayApi, segment
from disputeflow.plugins.ebay.cancellations import cancellation_snapshot
from disputeflow.plugins.ebay.cases import case_snapshot
from disputeflow.plugins.ebay.disputes import dispute_snapshot
from disputeflow.plugins.ebay.inquiries import inquiry_snapshot
from disputeflow.plugins.ebay.returns import return_snapshot

Translator = Callable[[Mapping[str, Any], datetime], CaseSnapshot]

TRANSLATORS: dict[str, Translator] = {
    "return": return_snapshot,
    "inquiry": inquiry_snapshot,
    "case": case_snapshot,
    "payment_dispute": dispute_snapshot,
    "cancellation": cancellation_snapshot,
}


def snapshot_of(object_type: str, data: Any, observed_at: datetime) -> CaseSnapshot:
    """Translate one eBay object of ``object_type``; a malformed one is a SnapshotError."""
    translate = TRANSLATORS.get(object_type)
    if translate is None:
        raise SnapshotError(f"unknown eBay object type {object_type!r}")
    if not isinstance(data, Mapping):
        raise SnapshotError(f"an eBay {object_type} must be a JSON object")
    return translate(data, observed_at)


def fetch(api: EbayApi, object_type: str, object_id: str) -> tuple[Any, CaseSnapshot]:
    """Read one object from eBay now: ``(its JSON, its snapshot)``."""
    key = segment(object_id)
    if object_type == "payment_dispute":
        answer = api.fulfillment("GET", f"payment_dispute/{key}")
    else:
        paths = {"return": "return", "inquiry": "inquiry", "case": "casemanagement",
                 "cancellation": "cancellation"}  # fmt: skip
        answer = api.post_order("GET", f"{paths[object_type]}/{key}")
    return answer.body, snapshot_of(object_type, answer.body, answer.observed_at)
