"""The handling feature as a plugin: the rules file, triage of every merged case
(classification, policy, deadlines, priority, routing), fairness checks of the merchant's
actions, deadline alerts and automation rules. Registered like any plugin; any plugin can
answer these hooks first, or the whole module can be blocked and replaced."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339
from disputeflow.core.events import Classification
from disputeflow.core.hookspecs import hookimpl
from disputeflow.core.plugins import PluginManager
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling import fairness
from disputeflow.features.handling.alerts import raise_approaching
from disputeflow.features.handling.automation import run_automation
from disputeflow.features.handling.classify import classify_case
from disputeflow.features.handling.deadlines import buyer_response_due, refresh_computed
from disputeflow.features.handling.evidence_rule import open_windows
from disputeflow.features.handling.policies import refresh_policies
from disputeflow.features.handling.rules import Rules
from disputeflow.features.handling.rules_file import load_rules
from disputeflow.features.handling.store_policy import connection_policy
from disputeflow.features.handling.triage import triage

log = logging.getLogger(__name__)


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


@hookimpl
def disputeflow_load_rules(settings: Any) -> Rules:
    """The rules file named by ``DISPUTEFLOW_RULES`` (a bad one stops the start), else the
    defaults."""
    return load_rules(settings.rules_path) if settings.rules_path else Rules()


@hookimpl
def disputeflow_triage_case(
    session: Session,
    plugins: PluginManager,
    rules: Rules | None,
    case: Case,
    snapshot: CaseSnapshot | None,
    at: datetime,
    now: datetime,
) -> list[TimelineEntry]:
    """Classify a generic case, evaluate a return's policy against the buyer's statutory
    rights, compute deadlines, prioritise, then route (see :mod:`.triage`)."""
    return triage(session, plugins, rules or Rules(), case, at=at, now=now, snapshot=snapshot)


@hookimpl
def disputeflow_prepare_action(
    case: Case,
    action_type: ActionType,
    params: Mapping[str, Any],
    rules: Rules | None,
    now: datetime,
) -> dict[str, Any] | None:
    """A request for information carries the buyer's window to answer (never shorter than
    the merchant's own)."""
    if action_type is not ActionType.SEND_MESSAGE or not params.get(fairness.INFO_PARAM):
        return None
    due = buyer_response_due(case, (rules or Rules()).fairness, now)
    return {"buyer_response_due": to_rfc3339(due)}


@hookimpl
def disputeflow_check_action(
    case: Case,
    action_type: ActionType,
    params: Mapping[str, Any],
    rationale: str | None,
    evidence_ids: tuple[str, ...],
    rules: Rules | None,
    now: datetime,
) -> str | None:
    """Refuse what fairness does not allow; note a decline whose timing against the
    buyer's statutory window is unknown."""
    fairness.check(
        case,
        action_type,
        rationale=rationale,
        evidence_ids=evidence_ids,
        params=params,
        settings=(rules or Rules()).fairness,
        now=now,
    )
    return fairness.statutory_note(case, action_type)


@hookimpl
def disputeflow_refresh_case(case: Case, rules: Rules | None) -> bool:
    """A first response meets the SLA; a request for information opens the buyer's window."""
    return refresh_computed(case, rules or Rules())


@hookimpl
def disputeflow_connection_details(connection: ConnectionRow) -> dict[str, Any]:
    """The connection's return policy, and where the law gives buyers more."""
    return {"policy": connection_policy(connection)}


@hookimpl
def disputeflow_housekeeping(runtime: Runtime) -> None:
    """Raise approaching deadlines, open automatic evidence submissions' windows and
    re-read store policies, each on its own."""
    for step in (raise_approaching, open_windows, refresh_policies):
        try:
            step(runtime)
        except Exception:  # one step's failure never stops the other
            log.exception("housekeeping step %s failed", step.__name__)


@hookimpl
def disputeflow_worker_round(runtime: Runtime, batch_size: int) -> int:
    """Run the automation rules on cases that changed."""
    return run_automation(runtime, limit=batch_size)
