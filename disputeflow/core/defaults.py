"""Built-in hook implementations, registered like any plugin and overridable by any plugin."""

from __future__ import annotations

from disputeflow.core.case import Case
from disputeflow.core.hookspecs import hookimpl


@hookimpl(trylast=True)
def disputeflow_route_case(case: Case) -> str | None:
    """Route by kind (``chargebacks``, ``inquiries``, ``returns``, ``claims``) unless a plugin
    routes first."""
    return {
        "chargeback": "chargebacks",
        "inquiry": "inquiries",
        "return": "returns",
        "claim": "claims",
    }[str(case.kind)]
