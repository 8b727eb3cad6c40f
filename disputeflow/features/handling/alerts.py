"""Raising deadlines that approach: a worker step, once per deadline and lead time.

Each round looks at open cases whose ``due_at`` falls within the longest lead time (the
rules file's ``alert_lead_hours``, 72 and 24 hours by default). For every deadline of the
party that must act that comes within a lead time, or has just passed, the case gets a
timeline entry and a ``disputeflow_case_changed`` call with cause ``"deadline"``, so that
notifications and automation rules can act. A deadline is raised once per lead time:
the raise is recorded, and a second worker racing for it finds it taken.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339, utcnow
from disputeflow.core.events import CaseChange
from disputeflow.core.taxonomy import Actor, CaseStatus, TimelineKind
from disputeflow.core.values import Deadline, TimelineEntry
from disputeflow.engine.runtime import Runtime
from disputeflow.engine.store import cases
from disputeflow.engine.store.tables import CaseRow, DeadlineAlertRow
from disputeflow.features.handling import priority

log = logging.getLogger(__name__)

MISSED_LOOKBACK = timedelta(days=7)  # older missed deadlines were raised already


def alert_key(deadline: Deadline, lead_hours: int) -> str:
    """What is raised once: this deadline at this lead time (0: missed)."""
    parts = (deadline.kind, deadline.party, to_rfc3339(deadline.due_at), f"{lead_hours}h")
    return "|".join(str(part) for part in parts) + f"|{deadline.source}"[:200]


def _due(case: Case, leads: tuple[int, ...], now: datetime) -> list[tuple[Deadline, int]]:
    """The acting party's deadlines to raise now, each with its tightest lead (0: missed)."""
    found = []
    for deadline in case.deadlines:
        if deadline.party is not case.must_act:
            continue
        left = deadline.due_at - now
        if left <= timedelta(0):
            if left > -MISSED_LOOKBACK:
                found.append((deadline, 0))
            continue
        crossed = [lead for lead in leads if left <= timedelta(hours=lead)]
        if crossed:
            found.append((deadline, min(crossed)))
    return found


def _entry(deadline: Deadline, lead: int, now: datetime) -> TimelineEntry:
    when = f"{deadline.due_at:%Y-%m-%d %H:%M} UTC"
    if lead == 0:
        kind, summary = TimelineKind.DEADLINE_MISSED, f"{deadline.party} missed the deadline {when}"
    else:
        kind = TimelineKind.DEADLINE_APPROACHING
        summary = f"{deadline.party} must act by {when} (within {lead} h)"
    summary += f": {deadline.kind} ({deadline.source})"
    data = {"deadline": deadline.to_dict(), "lead_hours": lead}
    return TimelineEntry(now, Actor.SYSTEM, kind, summary, data)


def _claim(session: Session, case_id: str, keys: list[str], now: datetime) -> bool:
    """Record the raises; ``False`` when the tightest one was raised before."""
    taken = set(
        session.scalars(
            select(DeadlineAlertRow.key).where(
                DeadlineAlertRow.case_id == case_id, DeadlineAlertRow.key.in_(keys)
            )
        )
    )
    if keys[0] in taken:
        return False
    for key in keys:
        if key not in taken:
            session.add(DeadlineAlertRow(case_id=case_id, key=key, raised_at=now))
    session.flush()
    return True


def _raise_case(runtime: Runtime, case_id: str, now: datetime) -> CaseChange | None:
    leads = runtime.rules.deadlines.alert_lead_hours
    with runtime.database.session() as session:
        row = session.get(CaseRow, case_id, with_for_update=True)
        if row is None:
            return None
        case = cases.load(session, row)
        entries = []
        for deadline, lead in _due(case, leads, now):
            wider = [h for h in leads if h >= lead] if lead else [0]
            keys = [
                alert_key(deadline, lead),
                *(alert_key(deadline, h) for h in wider if h != lead),
            ]
            if _claim(session, case.id, keys, now):
                entries.append(_entry(deadline, lead, now))
        if not entries:
            return None
        case.timeline = sorted([*case.timeline, *entries], key=TimelineEntry.sort_key)
        case.updated_at = max(case.updated_at, now)
        converted = priority.reporting_of(case.amount, runtime.rules, runtime.plugins)
        previous = (case.extra.get("priority") or {}).get("previous_cases", 0)
        case.extra["priority"] = priority.score(
            case,
            now=now,
            amount=converted.amount if converted is not None else None,
            previous_cases=previous,
            weights=runtime.rules.priority,
            conversion=converted,
        )
        cases.save_case(session, case, row)
        cases.add_entries(session, case.id, entries)
        row.rules_due_at = now  # the automation rules may act on it
    return CaseChange(case, False, tuple(entries), "deadline")


def raise_approaching(runtime: Runtime, *, now: datetime | None = None, limit: int = 200) -> int:
    """Raise the deadlines that approach (or just passed); how many cases were raised."""
    now = now or utcnow()
    horizon = now + timedelta(hours=max(runtime.rules.deadlines.alert_lead_hours))
    with runtime.database.session(readonly=True) as session:
        candidates = list(
            session.scalars(
                select(CaseRow.id)
                .where(
                    CaseRow.status != str(CaseStatus.RESOLVED),
                    CaseRow.due_at <= horizon,
                    CaseRow.due_at > now - MISSED_LOOKBACK,
                )
                .order_by(CaseRow.due_at, CaseRow.id)
                .limit(limit)
            )
        )
    raised = 0
    for case_id in candidates:
        try:
            change = _raise_case(runtime, case_id, now)
        except IntegrityError:  # another worker raised it at the same moment
            continue
        if change is None:
            continue
        raised += 1
        try:
            runtime.plugins.hook.disputeflow_case_changed(change=change)
        except Exception:  # a notifier's failure never undoes a committed change
            log.exception("disputeflow_case_changed failed for case %s", case_id)
    return raised
