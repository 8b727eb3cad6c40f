"""Priority: which case needs a person first, from deadline proximity, amount, category,
kind and the buyer's history.

Amounts are compared in the merchant's reporting currency, converted with the rates table
of the rules file or, for a pair it lacks, the ``disputeflow_exchange_rate`` hook. The
conversion is only ever for comparing: refunds always stay in the order's own currency.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.clock import to_rfc3339
from disputeflow.core.money import Money
from disputeflow.core.plugins import PluginManager
from disputeflow.core.taxonomy import CaseStatus
from disputeflow.features.handling.rules import PriorityWeights, Rules
from disputeflow.features.rates.convert import Converted, convert, quote_of

CATEGORY_POINTS: dict[str, int] = {
    "fraud": 15,
    "not_received": 10,
    "not_as_described": 10,
    "credit_not_processed": 10,
    "damaged": 8,
    "defective": 8,
    "wrong_item": 8,
    "duplicate_charge": 8,
    "missing_parts": 6,
    "incorrect_amount": 6,
    "subscription_canceled": 6,
    "processing_error": 5,
    "other": 5,
    "changed_mind": 3,
    "size_fit": 3,
}
KIND_POINTS: dict[str, int] = {"chargeback": 15, "claim": 12, "inquiry": 8, "return": 5}
# (hours left at most, points): the nearer the deadline, the more points; overdue is the most.
DEADLINE_POINTS = ((0, 35), (24, 35), (72, 25), (168, 15), (336, 8))
# (amount at least, points), in the reporting currency.
AMOUNT_POINTS = ((Decimal(1000), 25), (Decimal(250), 18), (Decimal(50), 10), (Decimal(0), 4))
# (previous cases at least, points): a buyer's repeated cases deserve a closer look.
HISTORY_POINTS = ((5, 15), (2, 10), (1, 5))


def exchange_rate(base: str, quote: str, rules: Rules, plugins: PluginManager) -> Decimal | None:
    """Units of ``quote`` one unit of ``base`` is worth: the rules file's table (its rates
    are to the reporting currency), else the ``disputeflow_exchange_rate`` hook."""
    found = quote_of(
        base, quote, plugins=plugins, table=rules.rates, reporting=rules.reporting_currency
    )
    return found.rate if found is not None else None


def reporting_of(amount: Money | None, rules: Rules, plugins: PluginManager) -> Converted | None:
    """``amount`` in the reporting currency (rounded half-even to its minor units) with the
    rate used and where it came from; the amount itself without a reporting currency;
    ``None`` when no rate is known."""
    if amount is None:
        return None
    target = rules.reporting_currency
    if target is None:
        return Converted(amount, amount)
    return convert(amount, target, plugins=plugins, table=rules.rates, reporting=target)


def to_reporting(amount: Money | None, rules: Rules, plugins: PluginManager) -> Money | None:
    """``amount`` in the reporting currency (see :func:`reporting_of`), or ``None``."""
    converted = reporting_of(amount, rules, plugins)
    return converted.amount if converted is not None else None


def _step(value: Decimal | float, steps: tuple[tuple[Any, int], ...], *, at_most: bool) -> int:
    for bound, points in steps:
        if (value <= bound) if at_most else (value >= bound):
            return points
    return 0


def _deadline_points(case: Case, now: datetime) -> int:
    due = case.due_at
    if due is None:
        return 0
    hours = (due - now).total_seconds() / 3600
    return _step(hours, DEADLINE_POINTS, at_most=True) or 2


def score(
    case: Case,
    *,
    now: datetime,
    amount: Money | None,
    previous_cases: int,
    weights: PriorityWeights | None = None,
    conversion: Converted | None = None,
) -> dict[str, Any]:
    """The case's priority (0 to 100) with the points of each factor; ``amount`` is the
    case's amount in the reporting currency (``None``: not convertible), ``conversion``
    how it was converted (its rate, source and the rates' date are kept beside it)."""
    weights = weights or PriorityWeights()
    factors = {
        "deadline": _deadline_points(case, now),
        "amount": _step(amount.value, AMOUNT_POINTS, at_most=False) if amount else 0,
        "category": {**CATEGORY_POINTS, **weights.categories}.get(str(case.category), 5),
        "kind": {**KIND_POINTS, **weights.kinds}.get(str(case.kind), 5),
        "history": _step(previous_cases, HISTORY_POINTS, at_most=False),
    }
    resolved = case.status == CaseStatus.RESOLVED
    found = {
        "score": 0 if resolved else min(100, sum(factors.values())),
        "factors": factors,
        "previous_cases": previous_cases,
        "reporting_amount": amount.to_dict() if amount else None,
        "computed_at": to_rfc3339(now),
    }
    if amount and conversion is not None and conversion.quote is not None:
        found["reporting_rate"] = conversion.quote.to_dict()
    return found
