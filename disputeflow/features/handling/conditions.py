"""Conditions of routing and automation rules: facts about a case, tested field by field.

A condition is ``field = value`` (one value, or a list meaning "any of"), or the field with
an operator suffix: ``_not`` (none of), ``_over`` (>), ``_under`` (<), ``_at_least`` (>=),
``_at_most`` (<=). A fact the case does not have (no buyer country, an amount that cannot
be converted) fails every condition on it, so a rule never acts on a guess.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from disputeflow.core.case import Case

TEXT, NUMBER, BOOL = "text", "number", "bool"

FIELDS: dict[str, str] = {
    "kind": TEXT,
    "category": TEXT,
    "status": TEXT,
    "stage": TEXT,
    "platform": TEXT,
    "connection_id": TEXT,
    "platform_reason": TEXT,
    "network_reason_code": TEXT,
    "card_network": TEXT,
    "currency": TEXT,
    "buyer_country": TEXT,
    "buyer_language": TEXT,
    "queue": TEXT,
    "amount": NUMBER,  # in the reporting currency (the case's own without one)
    "priority": NUMBER,
    "previous_cases": NUMBER,  # the buyer's earlier cases on the same connection
    "hours_to_deadline": NUMBER,
    "classification_confidence": NUMBER,
    "within_window": BOOL,
    "within_statutory_window": BOOL,
    "below_statutory": BOOL,
    "has_tracking": BOOL,
    # Fight or accept (features/handling/fee_facts.py), in the same currency as ``amount``.
    "amount_at_stake": NUMBER,  # the amount less what was already refunded
    "dispute_fee": NUMBER,
    "counter_fee": NUMBER,
    "fight_cost": NUMBER,  # the fees of a lost fight: counter fee + dispute fee
    "net_if_won": NUMBER,  # the amount at stake less the fees a won fight still costs
    # Known only to a plugin (disputeflow_case_facts), in automation rules only.
    "packet_complete": BOOL,  # the evidence packet holds what its reason code needs
}
PLUGIN_FACTS = frozenset({"packet_complete"})

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "_over": operator.gt,
    "_under": operator.lt,
    "_at_least": operator.ge,
    "_at_most": operator.le,
}
OPERATORS = ("_not", *_COMPARE)


@dataclass(frozen=True)
class Condition:
    """One test of one fact."""

    field: str
    op: str  # "" (is / any of), "_not", "_over", "_under", "_at_least", "_at_most"
    value: Any

    def test(self, facts: Mapping[str, Any]) -> bool:
        fact = facts.get(self.field)
        if fact is None:
            return False
        if self.op in _COMPARE:
            return _COMPARE[self.op](Decimal(str(fact)), self.value)
        if FIELDS[self.field] == BOOL:
            return bool(fact) is self.value
        hit = str(fact).casefold() in self.value
        return not hit if self.op == "_not" else hit


def _split(key: str) -> tuple[str, str]:
    for op in OPERATORS:
        if key.endswith(op) and key[: -len(op)] in FIELDS:
            return key[: -len(op)], op
    return key, ""


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def parse_condition(key: str, value: Any) -> Condition:
    """A condition from one ``when`` entry; a ``ValueError`` says what is wrong with it."""
    field, op = _split(key)
    kind = FIELDS.get(field)
    if kind is None:
        known = ", ".join(sorted(FIELDS))
        raise ValueError(
            f"unknown field {key!r} (fields: {known}; suffixes: {', '.join(OPERATORS)})"
        )
    if op in _COMPARE:
        if kind != NUMBER:
            raise ValueError(f"{op} compares numbers, and {field} is not one")
        return Condition(field, op, _number(value))
    if kind == BOOL:
        if op or not isinstance(value, bool):
            raise ValueError(f"{field} takes true or false")
        return Condition(field, op, value)
    if kind == NUMBER:
        raise ValueError(f"compare {field} with a suffix such as {field}_at_least")
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{key} takes a text or a list of texts")
    return Condition(field, op, frozenset(v.casefold() for v in values))


def matches(conditions: Iterable[Condition], facts: Mapping[str, Any]) -> bool:
    """Whether every condition holds (no conditions: always)."""
    return all(condition.test(facts) for condition in conditions)


def tracking_of(case: Case) -> list[dict[str, str]]:
    """Shipment tracking a plugin kept on the case (``extra["tracking"]`` as a dict or a list
    of dicts with ``number``, ``carrier``, ``url``; or ``extra["tracking_number"]``)."""
    found = case.extra.get("tracking")
    items = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    tracking = [
        {k: str(v) for k, v in item.items() if k in ("number", "carrier", "url") and v}
        for item in items
        if isinstance(item, dict) and item.get("number")
    ]
    number = case.extra.get("tracking_number")
    if isinstance(number, str) and number and not tracking:
        carrier = case.extra.get("carrier")
        tracking.append({"number": number, **({"carrier": carrier} if carrier else {})})
    return tracking


def case_facts(
    case: Case, *, now: datetime, amount: Decimal | None, card_network: str | None = None
) -> dict[str, Any]:
    """Everything a rule can test about ``case`` at ``now``; ``amount`` is the case's
    amount in the reporting currency."""
    policy = case.extra.get("policy") or {}
    priority = case.extra.get("priority") or {}
    classified = case.extra.get("classification") or {}
    locale = case.buyer.locale if case.buyer else None
    due = case.due_at
    return {
        "kind": case.kind,
        "category": case.category,
        "status": case.status,
        "stage": case.stage,
        "platform": case.platform,
        "connection_id": case.connection_id,
        "platform_reason": case.platform_reason,
        "network_reason_code": case.network_reason_code,
        "card_network": card_network,
        "currency": case.amount.currency if case.amount else None,
        "buyer_country": case.buyer.country if case.buyer else None,
        "buyer_language": locale.replace("_", "-").split("-")[0] if locale else None,
        "queue": case.queue,
        "amount": amount,
        "priority": priority.get("score"),
        "previous_cases": priority.get("previous_cases"),
        "hours_to_deadline": (due - now).total_seconds() / 3600 if due else None,
        "classification_confidence": classified.get("confidence"),
        "within_window": policy.get("within_window"),
        "within_statutory_window": policy.get("within_statutory_window"),
        "below_statutory": policy.get("below_statutory"),
        "has_tracking": bool(tracking_of(case)),
    }
