"""The evidence feature as a plugin: disputeflow's own items for every case's packet (the
messages with the buyer, the buyer as the platform named them). What needs the store
(refunds, the store's policy, statutory rights) is added by
:func:`disputeflow.features.evidence.assemble.assemble`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.evidence import EvidenceItem
from disputeflow.core.hookspecs import hookimpl
from disputeflow.engine.runtime import Runtime
from disputeflow.features.evidence.automatic import SUBMITTER, checked
from disputeflow.features.evidence.sources import case_items

# Automation actions this feature carries out (features/handling/evidence_rule.py).
AUTOMATION_PERFORMERS = {"submit_evidence": SUBMITTER}


@hookimpl
def disputeflow_collect_evidence(case: Case) -> Iterable[EvidenceItem]:
    """What the case itself says, whatever its platform (nothing is called)."""
    return case_items(case)


@hookimpl
def disputeflow_case_facts(
    runtime: Runtime, case: Case, names: frozenset[str]
) -> Mapping[str, Any]:
    """``packet_complete`` for automation rules: the packet as it stands now holds every
    item its category requires (assembling it may call the platform: the worker asks only
    when a rule tests it)."""
    if "packet_complete" not in names:
        return {}
    return {"packet_complete": checked(runtime, case.id).complete}
