"""The merchant's rules: routing, automation, deadlines, fairness and priority settings.

One TOML file (path in ``DISPUTEFLOW_RULES`` or ``disputeflow --rules``), read once when
the runtime starts and validated whole: every problem is reported at once, each with its
line and field. Without a file the defaults apply: no routing or automation rules, no
internal SLA, alerts 72 and 24 hours before a deadline. See docs/handling.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from disputeflow.core.taxonomy import ActionType
from disputeflow.engine.calendar import BusinessCalendar
from disputeflow.features.handling.conditions import Condition, matches
from disputeflow.features.handling.fees import FeeSettings

# What an automation rule can do, and the outbox action each one requests.
AUTOMATION_ACTIONS: dict[str, ActionType | None] = {
    "approve_return": ActionType.APPROVE_RETURN,
    "decline_return": ActionType.DECLINE_RETURN,
    "refund": ActionType.REFUND,  # the whole amount still refundable
    "accept": ActionType.ACCEPT,
    "submit_tracking": ActionType.CONTEST,  # contest with the shipment's tracking as evidence
    "request_information": ActionType.SEND_MESSAGE,  # asks the buyer; needs ``message``
    # the case's complete evidence packet, days_before_deadline business days before the
    # platform's response deadline (features/handling/evidence_rule.py)
    "submit_evidence": ActionType.CONTEST,
    "assign": None,  # sets the queue: local, nothing goes to the platform
}
DEFAULT_LEAD_HOURS = (72, 24)
DEFAULT_DAYS_BEFORE_DEADLINE = 3  # submit_evidence: business days before the deadline


@dataclass(frozen=True)
class RouteRule:
    """Cases matching ``when`` go to ``queue``; the first matching rule wins."""

    name: str
    queue: str
    when: tuple[Condition, ...]
    line: int | None = None


@dataclass(frozen=True)
class AutomationRule:
    """Cases matching ``when`` get ``action``, at most once per case and ``daily_limit``
    times a day, always with ``rationale`` on the timeline."""

    name: str
    action: str
    when: tuple[Condition, ...]
    rationale: str
    daily_limit: int = 50
    dry_run: bool = False
    message: str | None = None  # request_information: what the buyer is asked
    queue: str | None = None  # assign: the queue
    days_before_deadline: int = DEFAULT_DAYS_BEFORE_DEADLINE  # submit_evidence only
    line: int | None = None

    @property
    def action_type(self) -> ActionType | None:
        return AUTOMATION_ACTIONS[self.action]

    @property
    def requested_by(self) -> str:
        return f"rule:{self.name}"


@dataclass(frozen=True)
class DeadlineSettings:
    """The internal first-response target and when approaching deadlines are raised."""

    first_response_hours: int | None = None
    first_response_business_days: int | None = None
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    alert_lead_hours: tuple[int, ...] = DEFAULT_LEAD_HOURS

    def first_response_due(self, opened_at: datetime) -> datetime | None:
        """When the merchant's first response is due under the SLA, if one is set."""
        if self.first_response_business_days is not None:
            return self.calendar.deadline(opened_at, self.first_response_business_days)
        if self.first_response_hours is not None:
            return opened_at + timedelta(hours=self.first_response_hours)
        return None

    def day_start(self, now: datetime) -> datetime:
        """Midnight of ``now``'s day in the calendar's time zone: daily limits reset then."""
        return self.calendar.start_of_day(self.calendar.local_date(now))


@dataclass(frozen=True)
class FairnessSettings:
    """``require_rationale``: resolutions without one are refused (422);
    ``buyer_response_days_min``: the least a buyer gets to answer a request for information
    (never less than the merchant's own response window)."""

    require_rationale: bool = False
    buyer_response_days_min: int = 7


@dataclass(frozen=True)
class PriorityWeights:
    """Points per category and per kind (merged over the defaults of core.handling.priority)."""

    categories: Mapping[str, int] = field(default_factory=dict)
    kinds: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """Everything the rules file says (the defaults without one)."""

    reporting_currency: str | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)
    dry_run: bool = False  # every automation rule only records what it would do
    deadlines: DeadlineSettings = field(default_factory=DeadlineSettings)
    fairness: FairnessSettings = field(default_factory=FairnessSettings)
    priority: PriorityWeights = field(default_factory=PriorityWeights)
    fees: FeeSettings = field(default_factory=FeeSettings)
    routes: tuple[RouteRule, ...] = ()
    automation: tuple[AutomationRule, ...] = ()
    source: str | None = None

    def route(self, facts: Mapping[str, Any]) -> RouteRule | None:
        """The first routing rule whose conditions hold."""
        return next((rule for rule in self.routes if matches(rule.when, facts)), None)

    def is_dry_run(self, rule: AutomationRule) -> bool:
        return self.dry_run or rule.dry_run
