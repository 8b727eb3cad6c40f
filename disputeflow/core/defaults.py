"""Built-in hook implementations, registered like any plugin and overridable by any plugin."""

from __future__ import annotations

from disputeflow.core.case import Case
from disputeflow.core.events import Classification
from disputeflow.core.handling.classify import classify_case
from disputeflow.core.hookspecs import hookimpl
from disputeflow.core.snapshot import CaseSnapshot


@hookimpl(trylast=True)
def disputeflow_classify_case(case: Case, snapshot: CaseSnapshot | None) -> Classification | None:
    """Classify from the buyer's own words (six languages, phrase rules shipped as data)
    unless a plugin decides first."""
    return classify_case(case)


@hookimpl(trylast=True)
def disputeflow_route_case(case: Case) -> str | None:
    """Route by kind (``chargebacks``, ``inquiries``, ``returns``, ``claims``) unless a plugin
    or a routing rule routes first."""
    return {
        "chargeback": "chargebacks",
        "inquiry": "inquiries",
        "return": "returns",
        "claim": "claims",
    }[str(case.kind)]
