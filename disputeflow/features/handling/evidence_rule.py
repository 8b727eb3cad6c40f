"""The ``submit_evidence`` automation action: the case's evidence packet, sent on its own a
number of business days before the platform's response deadline.

It acts only while every guard holds at run time, and a guard that fails does not spend the
rule's one turn on the case (the rule tries again when the case next changes):

* the submission window is open: from the start of the ``days_before_deadline``-th business
  day before the response deadline (the ``[deadlines]`` calendar and time zone);
* nobody took the case: no action on it and no edit of its packet by anyone but a rule
  (a person in the workspace or a caller of the API; assigning the case is such an action),
  and no merchant evidence on the platform already;
* no contest was requested before (pending, running or succeeded), by anyone;
* the packet, assembled now, is complete.

The evidence feature lends the packet's parts (a :class:`PacketSubmitter` in its plugin's
``AUTOMATION_PERFORMERS``), so handling never imports it. The packet goes out as the
evidence feature's own submission (a ``contest`` through the
outbox, its idempotency key the case and the packet's digest); a dry run runs the outbox's
checks and stores nothing but the timeline entry. Housekeeping marks cases whose window
opened since, once per deadline, so the rules look at them even when nothing else changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.taxonomy import ActionType, Actor, CaseStatus, DeadlineKind
from disputeflow.core.values import Deadline
from disputeflow.engine.calendar import BusinessCalendar
from disputeflow.engine.outbox import ActionInput
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import actions, cases, packets
from disputeflow.engine.store.tables import CaseRow, DeadlineAlertRow
from disputeflow.features.handling.rules import AutomationRule

log = logging.getLogger(__name__)

ACTION = "submit_evidence"
PERFORMERS = "AUTOMATION_PERFORMERS"  # the plugin attribute that lends automation actions
RULE_PREFIX = "rule:"
CONTESTED = (actions.PENDING, actions.RUNNING, actions.SUCCEEDED)


def response_deadline(case: Case) -> Deadline | None:
    """The earliest response deadline the platform set for the merchant; the card network's
    window (computed) when the platform states none; ``None`` unless a response is due."""
    if case.status != CaseStatus.NEEDS_RESPONSE:
        return None
    for kind in (DeadlineKind.PLATFORM_RESPONSE, DeadlineKind.NETWORK_RESPONSE):
        found = [d for d in case.deadlines if d.kind is kind and d.party is Actor.MERCHANT]
        if found:
            return min(found, key=lambda d: d.due_at)
    return None


def business_days_before(calendar: BusinessCalendar, day: date, days: int) -> date:
    """The ``days``-th business day before ``day`` (``day`` itself does not count)."""
    current, left = day, days
    while left > 0:
        current -= timedelta(days=1)
        left -= calendar.is_business_day(current)
    return current


def window_opens(calendar: BusinessCalendar, due_at: datetime, days: int) -> datetime:
    """When submitting ``days`` business days before ``due_at`` may start: midnight of that
    business day in the calendar's time zone, as UTC."""
    day = business_days_before(calendar, calendar.local_date(due_at), days)
    return calendar.start_of_day(day)


def window_open(runtime: Runtime, rule: AutomationRule, case: Case, now: datetime) -> bool:
    """Whether ``rule`` may submit ``case``'s packet at ``now`` (not after the deadline)."""
    deadline = response_deadline(case)
    if deadline is None or now > deadline.due_at:
        return False
    calendar = runtime.rules.deadlines.calendar
    return now >= window_opens(calendar, deadline.due_at, rule.days_before_deadline)


def _by_person(who: str | None) -> bool:
    return who is not None and not who.startswith(RULE_PREFIX)


def held_by(runtime: Runtime, case: Case) -> str | None:
    """Why the rule keeps off the case (someone took it, or a contest went), else ``None``."""
    if any(e.party is Actor.MERCHANT for e in case.evidence):
        return "the merchant already sent evidence on the platform"
    with runtime.database.session(readonly=True) as session:
        rows = actions.list_for_case(session, case.id)
        packet = packets.get(session, case.id)
        editors = [packet.updated_by, packet.submitted_by] if packet is not None else []
    for row in rows:
        if _by_person(row.requested_by):
            return f"{row.requested_by} took the case ({row.type} {row.id})"
    for who in editors:
        if _by_person(who):
            return f"{who} took the case (edited its evidence packet)"
    for row in rows:
        if row.type == str(ActionType.CONTEST) and row.status in CONTESTED:
            return f"a contest was already requested (action {row.id})"
    return None


@dataclass(frozen=True)
class PacketSubmitter:
    """What the evidence feature lends this action (handling never imports it): why the
    case's packet cannot go now (``None`` when complete), the contest it stands for (to
    check in a dry run), its submission (the queued action), and the scope of one
    evaluation of a case's rules (inside it, the packet is assembled once)."""

    lacking: Callable[[Runtime, str], str | None]
    contest: Callable[[Runtime, str, str], ActionInput]
    submit: Callable[[Runtime, str, str], dict[str, Any]]
    evaluation: Callable[[], AbstractContextManager[None]]


def submitter(runtime: Runtime) -> PacketSubmitter | None:
    """The registered plugin's ``AUTOMATION_PERFORMERS[submit_evidence]`` (the evidence
    feature's), or ``None`` when it is blocked or replaced by nothing."""
    for plugin in runtime.plugins.get_plugins():
        found = getattr(plugin, PERFORMERS, None)
        lent = found.get(ACTION) if isinstance(found, Mapping) else None
        if isinstance(lent, PacketSubmitter):
            return lent
    return None


def hold(runtime: Runtime, case: Case) -> tuple[str, str] | None:
    """``(outcome, reason)`` when the rule must not submit now: ``held`` (taken, contested,
    or nobody to assemble the packet) or ``incomplete``; ``None`` when it may."""
    reason = held_by(runtime, case)
    if reason is not None:
        return "held", reason
    lent = submitter(runtime)
    if lent is None:
        return "held", "no plugin assembles evidence packets (the evidence feature is off)"
    lacking = lent.lacking(runtime, case.id)
    return ("incomplete", lacking) if lacking is not None else None


def _window_key(rule: AutomationRule, deadline: Deadline) -> str:
    stamp = to_rfc3339(deadline.due_at)
    return f"{ACTION}|{rule.name}|{rule.days_before_deadline}bd|{stamp}"[:300]


def _candidates(runtime: Runtime, now: datetime, days: int, limit: int) -> list[str]:
    calendar = runtime.rules.deadlines.calendar
    horizon = calendar.end_of_day(calendar.add_business_days(calendar.local_date(now), days))
    with runtime.database.session(readonly=True) as session:
        query = (
            select(CaseRow.id)
            .where(
                CaseRow.status == str(CaseStatus.NEEDS_RESPONSE),
                CaseRow.due_at <= horizon,
                CaseRow.due_at >= now,
            )
            .order_by(CaseRow.due_at, CaseRow.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def _mark(runtime: Runtime, rules: list[AutomationRule], case_id: str, now: datetime) -> bool:
    """Record the opened windows of ``case_id`` once; whether the rules should look again."""
    with runtime.database.session() as session:
        row = session.get(CaseRow, case_id, with_for_update=True)
        if row is None:
            return False
        case = cases.load(session, row)
        deadline = response_deadline(case)
        keys = [
            _window_key(rule, deadline)
            for rule in rules
            if deadline is not None and window_open(runtime, rule, case, now)
        ]
        taken = set(
            session.scalars(
                select(DeadlineAlertRow.key).where(
                    DeadlineAlertRow.case_id == case_id, DeadlineAlertRow.key.in_(keys)
                )
            )
        )
        fresh = [key for key in keys if key not in taken]
        for key in fresh:
            session.add(DeadlineAlertRow(case_id=case_id, key=key, raised_at=now))
        if fresh:
            row.rules_due_at = now
        return bool(fresh)


def open_windows(runtime: Runtime, *, now: datetime | None = None, limit: int = 200) -> int:
    """Housekeeping: have the rules look at cases whose submission window opened (once per
    rule and deadline); how many cases were marked."""
    rules = [rule for rule in runtime.rules.automation if rule.action == ACTION]
    if not rules:
        return 0
    now = now or utcnow()
    days = max(rule.days_before_deadline for rule in rules)
    marked = 0
    for case_id in _candidates(runtime, now, days, limit):
        try:
            marked += _mark(runtime, rules, case_id, now)
        except IntegrityError:  # another worker marked it at the same moment
            continue
    return marked
