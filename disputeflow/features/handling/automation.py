"""The merchant's automation rules, run by the worker on every changed case.

A rule acts through the action outbox exactly like a person (``requested_by`` is
``rule:<name>``), so the flow's checks, fairness's (the statutory refusal) and the plugins'
veto all apply. A rule acts at most once on a case and at most ``daily_limit`` times a day
(days in the ``[deadlines]`` time zone); in a dry run it records what it would do and does
nothing. Every decision, including a refusal or a limit reached, is a timeline entry that
names the rule.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.exc import IntegrityError

from disputeflow.core.case import Case
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ActionNotAllowedError, InvalidInputError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import ActionType, Actor, CaseStatus, TimelineKind
from disputeflow.core.values import Evidence, TimelineEntry
from disputeflow.engine.ids import new_id
from disputeflow.engine.outbox import ActionInput, append_entry, check_action, request_action
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, ConnectionRow, RuleRunRow
from disputeflow.features.handling import evidence_rule, priority
from disputeflow.features.handling.conditions import PLUGIN_FACTS, case_facts, matches, tracking_of
from disputeflow.features.handling.deadlines import card_network
from disputeflow.features.handling.fairness import INFO_PARAM
from disputeflow.features.handling.fee_facts import fee_facts, tested
from disputeflow.features.handling.plugin_facts import plugin_facts, wanted
from disputeflow.features.handling.rules import AutomationRule

log = logging.getLogger(__name__)

ACTING = ("pending", "requested", "dry_run", "assigned")  # outcomes a daily limit counts


def run_automation(runtime: Runtime, *, now: datetime | None = None, limit: int = 50) -> int:
    """Run the rules on cases that changed since they last ran; how many cases were seen."""
    if not runtime.rules.automation:
        return 0
    now = now or utcnow()
    with runtime.database.session(readonly=True) as session:
        pending = list(
            session.execute(
                select(CaseRow.id, CaseRow.rules_due_at)
                .where(CaseRow.rules_due_at.is_not(None))
                .order_by(CaseRow.rules_due_at, CaseRow.id)
                .limit(limit)
            )
        )
    for case_id, stamp in pending:
        try:
            evaluate_case(runtime, case_id, now=now)
        except Exception:  # one case's failure never stops the others
            log.exception("automation rules failed on case %s", case_id)
        with runtime.database.session() as session:  # unless it changed again meanwhile
            session.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id, CaseRow.rules_due_at == stamp)
                .values(rules_due_at=None)
            )
    return len(pending)


def evaluate_case(runtime: Runtime, case_id: str, *, now: datetime) -> dict[str, str]:
    """Apply every matching rule to one case; each rule's outcome by name. Only the first
    rule that asks the platform for something acts (``assign`` rules always may)."""
    with runtime.database.session(readonly=True) as session:
        case = runtime.fill_allowed_actions(cases.get(session, case_id))
    if case.status == CaseStatus.RESOLVED:
        return {}
    amount = priority.to_reporting(case.amount, runtime.rules, runtime.plugins)
    facts = case_facts(
        case, now=now, amount=amount.value if amount else None, card_network=card_network(case)
    )
    if tested(runtime.rules.automation):
        facts.update(fee_facts(case, runtime.rules, runtime.plugins, _name(runtime, case)))
    lent = evidence_rule.submitter(runtime)
    with lent.evaluation() if lent is not None else nullcontext():
        return _apply_matching(runtime, case, facts, now)


def _apply_matching(
    runtime: Runtime, case: Case, facts: dict[str, Any], now: datetime
) -> dict[str, str]:
    """Each rule that matches, in order; plugins' facts asked once, when first needed."""
    outcomes: dict[str, str] = {}
    acted = asked = False
    for rule in runtime.rules.automation:
        if (acted and rule.action != "assign") or not _may_act(runtime, rule, case, facts, now):
            continue
        if wanted([rule]) and not asked:
            facts.update(plugin_facts(runtime, case))
            asked = True
        if not matches(rule.when, facts):
            continue
        outcomes[rule.name] = outcome = apply_rule(runtime, rule, case, now)
        acted = acted or (rule.action != "assign" and outcome in ("requested", "dry_run"))
    return outcomes


def _may_act(
    runtime: Runtime, rule: AutomationRule, case: Case, facts: dict[str, Any], now: datetime
) -> bool:
    """The rule's tests that need no plugin: its conditions on the case's own facts, and its
    action's guards. Only then are plugins asked (assembling a packet calls the platform)."""
    if not matches((c for c in rule.when if c.field not in PLUGIN_FACTS), facts):
        return False
    if rule.action == "submit_tracking" and not facts["has_tracking"]:
        return False
    return rule.action != evidence_rule.ACTION or evidence_rule.window_open(
        runtime, rule, case, now
    )


def _name(runtime: Runtime, case: Case) -> str | None:
    """The name of the case's connection (fee settings may be given by name)."""
    with runtime.database.session(readonly=True) as session:
        query = select(ConnectionRow.name).where(ConnectionRow.id == case.connection_id)
        return session.scalar(query)


def _note(
    runtime: Runtime,
    case_id: str,
    rule: AutomationRule,
    summary: str,
    now: datetime,
    **data: object,
) -> None:
    entry = TimelineEntry(
        now,
        Actor.SYSTEM,
        TimelineKind.RULE_APPLIED,
        summary,
        {"rule": rule.name, "action": rule.action, **data},
    )
    with runtime.database.session() as session:
        append_entry(session, case_id, entry)


def _ran(rule: AutomationRule, case_id: str) -> Select[int]:
    """The rule's run on the case, if it had its turn."""
    return select(RuleRunRow.id).where(RuleRunRow.rule == rule.name, RuleRunRow.case_id == case_id)


def _reserve(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> int | None:
    """Take the rule's one turn on the case within its daily limit; the run's id, or
    ``None`` (already ran, or the limit is reached: then the timeline says so)."""
    day_start = runtime.rules.deadlines.day_start(now)
    ran = _ran(rule, case.id)
    today = select(func.count(RuleRunRow.id)).where(
        RuleRunRow.rule == rule.name, RuleRunRow.at >= day_start, RuleRunRow.outcome.in_(ACTING)
    )
    run = RuleRunRow(
        rule=rule.name,
        case_id=case.id,
        action=rule.action,
        outcome="pending",
        dry_run=runtime.rules.is_dry_run(rule),
        at=now,
    )
    try:
        with runtime.database.session() as session:
            if runtime.database.dialect == "postgresql":  # SQLite writers queue already
                lock = text("SELECT pg_advisory_xact_lock(hashtext(:rule))")
                session.execute(lock, {"rule": rule.requested_by})  # one count at a time
            if session.scalar(ran) is not None:
                return None
            limited = (session.scalar(today) or 0) >= rule.daily_limit
            if not limited:
                session.add(run)
                session.flush()
                run_id = run.id
    except IntegrityError:  # another worker took this turn
        return None
    if limited:
        summary = (
            f"rule {rule.name} matched, but its daily limit of {rule.daily_limit} is reached: "
            f"{rule.action} is left to a person"
        )
        _note(runtime, case.id, rule, summary, now, limited=True)
        return None
    return run_id


def _input(rule: AutomationRule, case: Case, now: datetime) -> ActionInput:
    action = rule.action_type
    assert action is not None
    amount = None
    if action == ActionType.REFUND and case.amount is not None:
        amount = case.amount - (case.refunded or Money.zero(case.amount.currency))
    evidence = tuple(
        Evidence(
            new_id("evd"),
            Actor.MERCHANT,
            "shipping_documentation",
            now,
            f"Shipped with {item.get('carrier', 'the carrier')}, tracking number {item['number']}",
            url=item.get("url"),
        )
        for item in (tracking_of(case) if rule.action == "submit_tracking" else ())
    )
    return ActionInput(
        type=action,
        amount=amount,
        message=rule.message,
        evidence=evidence,
        params={INFO_PARAM: True} if rule.action == "request_information" else None,
        idempotency_key=f"{rule.requested_by}:{case.id}",
        requested_by=rule.requested_by,
        rationale=rule.rationale,
    )


def _assign(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> str:
    with runtime.database.session() as session:
        row = session.get(CaseRow, case.id, with_for_update=True)
        assert row is not None
        current = cases.load(session, row)
        current.queue = rule.queue
        current.extra["routing"] = {"queue": rule.queue, "rule": rule.name}
        cases.save_case(session, current, row)
    _note(
        runtime,
        case.id,
        rule,
        f"rule {rule.name} assigned the case to {rule.queue}: {rule.rationale}",
        now,
        queue=rule.queue,
    )
    return "assigned"


def _wanted(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> ActionInput:
    lent = evidence_rule.submitter(runtime) if rule.action == evidence_rule.ACTION else None
    return lent.contest(runtime, case.id, rule.requested_by) if lent else _input(rule, case, now)


def _request(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> str:
    """Queue the rule's action; its id. A packet goes as the evidence feature sends it."""
    lent = evidence_rule.submitter(runtime) if rule.action == evidence_rule.ACTION else None
    if lent is None:
        return str(request_action(runtime, case.id, _input(rule, case, now))[0]["id"])
    action = lent.submit(runtime, case.id, rule.requested_by)
    summary = f"rule {rule.name} submitted the evidence packet: {rule.rationale}"
    _note(runtime, case.id, rule, summary, now, action_id=action["id"])
    return str(action["id"])


def _perform(
    runtime: Runtime, rule: AutomationRule, case: Case, now: datetime, dry_run: bool
) -> tuple[str, str | None, str | None]:
    """Carry the rule out (or, in a dry run, check it): ``(outcome, message, action id)``."""
    if rule.action == "assign" and not dry_run:
        return _assign(runtime, rule, case, now), None, None
    try:
        if dry_run:
            if rule.action != "assign":
                check_action(runtime, case.id, _wanted(runtime, rule, case, now))
            what = f"assign the case to {rule.queue}" if rule.action == "assign" else rule.action
            _note(
                runtime,
                case.id,
                rule,
                f"rule {rule.name} would {what} (dry run): {rule.rationale}",
                now,
                dry_run=True,
            )
            return "dry_run", None, None
        return "requested", None, _request(runtime, rule, case, now)
    except (ActionNotAllowedError, InvalidInputError) as error:
        verb = "would try" if dry_run else "tried"
        _note(
            runtime,
            case.id,
            rule,
            f"rule {rule.name} {verb} {rule.action}, refused: {error.message}",
            now,
            refused=error.message,
            dry_run=dry_run,
        )
        return "refused", error.message, None


def _held(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> str | None:
    """A ``submit_evidence`` rule's guards (its turn is not spent on them): ``skipped`` (it
    ran), ``held`` or ``incomplete`` (said on the timeline once per reason), else ``None``."""
    with runtime.database.session(readonly=True) as session:
        if session.scalar(_ran(rule, case.id)) is not None:
            return "skipped"
    found = evidence_rule.hold(runtime, case)
    if found is None:
        return None
    outcome, reason = found
    said = [e.data for e in case.timeline if e.kind is TimelineKind.RULE_APPLIED]
    mine = [data for data in said if data.get("rule") == rule.name]
    if not mine or mine[-1].get("held") != reason:
        summary = f"rule {rule.name} did not submit the evidence packet: {reason}"
        _note(runtime, case.id, rule, summary, now, held=reason)
    return outcome


def apply_rule(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> str:
    """One rule on one case: ``requested``, ``dry_run``, ``assigned``, ``refused``, or
    ``skipped`` (ran before, or the daily limit is reached); a ``submit_evidence`` rule
    also ``held`` or ``incomplete`` (see :func:`_held`)."""
    if rule.action == evidence_rule.ACTION:
        held = _held(runtime, rule, case, now)
        if held is not None:
            return held
    run_id = _reserve(runtime, rule, case, now)
    if run_id is None:
        return "skipped"
    outcome, message, action_id = _perform(runtime, rule, case, now, runtime.rules.is_dry_run(rule))
    with runtime.database.session() as session:
        run = session.get(RuleRunRow, run_id)
        if run is not None:
            run.outcome, run.message, run.action_id = outcome, message, action_id
    return outcome
