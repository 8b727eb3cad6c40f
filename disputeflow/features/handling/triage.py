"""Triage after every merge: classify, evaluate the return policy, compute deadlines,
prioritise, route. Runs inside the ingest transaction; never calls a platform.

Every step is idempotent: run twice on the same case, the second run changes nothing and
adds no timeline entry. Entries are local (not derived from snapshots), so they survive a
refold of the case's history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.events import Classification
from disputeflow.core.money import Money
from disputeflow.core.plugins import PluginManager
from disputeflow.core.taxonomy import Actor, CaseKind, Category, TimelineKind
from disputeflow.core.values import TimelineEntry
from disputeflow.engine.store.cases import previous_cases_of_buyer
from disputeflow.engine.store.tables import ConnectionRow
from disputeflow.features.handling import priority
from disputeflow.features.handling.classify import needs_classification
from disputeflow.features.handling.conditions import case_facts
from disputeflow.features.handling.deadlines import card_network, refresh_computed
from disputeflow.features.handling.fee_facts import fee_facts, tested
from disputeflow.features.handling.rules import Rules
from disputeflow.features.handling.store_policy import evaluate_return, store_policy_of


def _add(case: Case, entry: TimelineEntry) -> TimelineEntry:
    case.timeline = sorted([*case.timeline, entry], key=TimelineEntry.sort_key)
    return entry


def classify(
    plugins: PluginManager, case: Case, at: datetime, snapshot: Any
) -> list[TimelineEntry]:
    """Ask the ``classify`` hook when the platform's reason is generic; keep the decision,
    its confidence and its rule on the case, and say so on the timeline once."""
    if not needs_classification(case):
        return []
    decided: Classification | None = plugins.hook.disputeflow_classify_case(
        case=case, snapshot=snapshot
    )
    if decided is None or decided.category == Category.OTHER:
        return []
    record = {
        "category": str(decided.category),
        "confidence": decided.confidence,
        "rule": decided.rule,
        **({"details": dict(decided.details)} if decided.details else {}),
    }
    case.category = decided.category
    if case.extra.get("classification") == record:
        return []
    case.extra["classification"] = record
    summary = f"classified as {decided.category} by {decided.rule} ({decided.confidence:.0%})"
    return [
        _add(case, TimelineEntry(at, Actor.SYSTEM, TimelineKind.CATEGORY_CHANGED, summary, record))
    ]


def evaluate_policy(session: Session, case: Case, at: datetime) -> list[TimelineEntry]:
    """A return's window under the store's policy and the buyer's law; a store policy
    below the statutory minimum is flagged on the timeline (once)."""
    if case.kind != CaseKind.RETURN:
        return []
    store = store_policy_of(session.get(ConnectionRow, case.connection_id))
    evaluation = evaluate_return(case, store)
    flagged_before = (case.extra.get("policy") or {}).get("below_statutory")
    case.extra["policy"] = evaluation.to_dict()
    if not evaluation.below_statutory or flagged_before:
        return []
    statutory = f"{evaluation.statutory_window_days} days"
    if evaluation.statutory_business_days is not None:
        statutory = f"{evaluation.statutory_business_days} business days ({statutory})"
    summary = (
        f"store policy of {evaluation.store_window_days} days is below the statutory "
        f"{statutory} in {evaluation.jurisdiction}: the buyer gets "
        f"{evaluation.effective_window_days} days ({evaluation.law})"
    )
    entry = TimelineEntry(
        at, Actor.SYSTEM, TimelineKind.POLICY_FLAGGED, summary, evaluation.to_dict()
    )
    return [_add(case, entry)]


def prioritise(
    session: Session, plugins: PluginManager, rules: Rules, case: Case, now: datetime
) -> Money | None:
    """Score the case; answers its amount in the reporting currency (for routing)."""
    converted = priority.reporting_of(case.amount, rules, plugins)
    amount = converted.amount if converted is not None else None
    case.extra["priority"] = priority.score(
        case,
        now=now,
        amount=amount,
        previous_cases=previous_cases_of_buyer(session, case),
        weights=rules.priority,
        conversion=converted,
    )
    return amount


def route(
    plugins: PluginManager, rules: Rules, case: Case, at: datetime, facts: dict[str, Any]
) -> list[TimelineEntry]:
    """A plugin's queue first, then the rules file's, then the built-in one (by kind). A
    rule's choice is named on the timeline when it moves the case."""
    defaults = plugins.get_plugin("disputeflow.features.handling.plugin")
    caller = plugins.subset_hook_caller(
        "disputeflow_route_case", remove_plugins=[defaults] if defaults else []
    )
    queue = caller(case=case)
    rule = rules.route(facts) if queue is None else None
    if queue is None and rule is not None:
        queue = rule.queue
    if queue is None:
        queue = plugins.hook.disputeflow_route_case(case=case)
    moved = queue != case.queue
    case.queue = queue
    if rule is None:
        case.extra.pop("routing", None)
        return []
    case.extra["routing"] = {"queue": queue, "rule": rule.name}
    if not moved:
        return []
    summary = f"routed to {queue} by rule {rule.name}"
    return [
        _add(
            case,
            TimelineEntry(
                at, Actor.SYSTEM, TimelineKind.ROUTED, summary, {"queue": queue, "rule": rule.name}
            ),
        )
    ]


def triage(
    session: Session,
    plugins: PluginManager,
    rules: Rules,
    case: Case,
    *,
    at: datetime,
    now: datetime,
    snapshot: Any = None,
) -> list[TimelineEntry]:
    """Every triage step in order; the timeline entries they added."""
    entries = classify(plugins, case, at, snapshot)
    entries += evaluate_policy(session, case, at)
    refresh_computed(case, rules)
    amount = prioritise(session, plugins, rules, case, now)
    facts = case_facts(
        case, now=now, amount=amount.value if amount else None, card_network=card_network(case)
    )
    if tested(rules.routes):
        connection = session.get(ConnectionRow, case.connection_id)
        facts.update(fee_facts(case, rules, plugins, connection.name if connection else None))
    entries += route(plugins, rules, case, at, facts)
    return entries
