"""The evidence feature as a plugin: disputeflow's own items for every case's packet (the
messages with the buyer, the buyer as the platform named them). What needs the store
(refunds, the store's policy, statutory rights) is added by
:func:`disputeflow.features.evidence.assemble.assemble`."""

from __future__ import annotations

from collections.abc import Iterable

from disputeflow.core.case import Case
from disputeflow.core.evidence import EvidenceItem
from disputeflow.core.hookspecs import hookimpl
from disputeflow.features.evidence.sources import case_items


@hookimpl
def disputeflow_collect_evidence(case: Case) -> Iterable[EvidenceItem]:
    """What the case itself says, whatever its platform (nothing is called)."""
    return case_items(case)
