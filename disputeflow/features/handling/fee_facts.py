"""The facts a rule weighs to fight or accept: the amount at stake and what fighting costs.

All in the currency rules compare in (the reporting currency; the case's own without one),
converted like ``amount`` (the rules file's ``[rates]``, else ``disputeflow_exchange_rate``).
A fee that cannot be converted, or a platform nobody has given fees for, leaves the fee
facts out, and a rule that tests them does not act: it never decides on a guess.

* ``amount_at_stake``: the disputed amount less what was already refunded.
* ``dispute_fee``: what the platform charged for the dispute (the case's own figure where
  the plugin kept one, ``extra["fees"]``/``extra["dispute_fee"]``), else the fee settings'.
* ``counter_fee``: what contesting costs (Stripe's counter fee; eBay's fee for a lost contest).
* ``fight_cost``: the fees of a fight that is lost, ``counter_fee + dispute_fee``.
* ``net_if_won``: ``amount_at_stake`` less the fees a won fight still costs (those the
  platform keeps when the merchant wins: Stripe's dispute fee, not its counter fee).

A return has no dispute fees: of these, it has only ``amount_at_stake``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from disputeflow.core.case import Case
from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money
from disputeflow.core.plugins import PluginManager
from disputeflow.core.taxonomy import CaseKind
from disputeflow.features.handling.fees import PlatformFees, reported_fees
from disputeflow.features.handling.rules import Rules
from disputeflow.features.rates.convert import convert

FEE_FACTS = ("amount_at_stake", "dispute_fee", "counter_fee", "fight_cost", "net_if_won")


def tested(rules: Iterable[Any]) -> bool:
    """Whether any of ``rules`` (routes or automation rules) tests a fee fact: only then
    are they worked out (and the connection's name read)."""
    return any(c.field in FEE_FACTS for rule in rules for c in rule.when)


def amount_at_stake(case: Case) -> Money | None:
    """The disputed amount less what was already refunded (never below zero)."""
    if case.amount is None:
        return None
    zero = Money.zero(case.amount.currency)
    refunded = case.refunded if case.refunded and case.refunded.currency == zero.currency else zero
    return max(case.amount - refunded, zero)


class _Sum:
    """Fees in one currency, summed as they are converted; ``None`` once one cannot be."""

    def __init__(self, rules: Rules, plugins: PluginManager, target: str) -> None:
        self.rules, self.plugins, self.target = rules, plugins, target

    def __call__(self, fees: Iterable[Money]) -> Decimal | None:
        total = Decimal(0)
        for fee in fees:
            try:
                found = convert(
                    fee,
                    self.target,
                    plugins=self.plugins,
                    table=self.rules.rates,
                    reporting=self.rules.reporting_currency,
                )
            except DisputeflowError:
                return None
            if found is None:
                return None
            total += found.amount.value
        return total


def _some(fee: Money | None) -> tuple[Money, ...]:
    return (fee,) if fee is not None else ()


def fee_facts(
    case: Case, rules: Rules, plugins: PluginManager, connection_name: str | None = None
) -> dict[str, Any]:
    """The five facts, each ``None`` where it is not known; ``connection_name`` finds a
    connection's own ``[fees.connection."<name>"]``."""
    facts: dict[str, Any] = dict.fromkeys(FEE_FACTS)
    stake = amount_at_stake(case)
    target = rules.reporting_currency or (stake.currency if stake else None)
    if stake is None or target is None:
        return facts
    add = _Sum(rules, plugins, target)
    facts["amount_at_stake"] = at_stake = add([stake])
    settings = rules.fees.of(case.platform, case.connection_id, connection_name)
    reported = reported_fees(case.extra)
    if case.kind == CaseKind.RETURN or (settings is None and not reported):
        return facts
    fees = settings or PlatformFees()
    dispute = add(reported) if reported else add(_some(fees.dispute_fee))
    counter = add(_some(fees.counter_fee))
    if dispute is None or counter is None or at_stake is None:
        return facts
    kept = (Decimal(0) if fees.dispute_fee_returned_if_won else dispute) + (
        Decimal(0) if fees.counter_fee_returned_if_won else counter
    )
    facts.update(dispute_fee=dispute, counter_fee=counter, fight_cost=dispute + counter)
    facts["net_if_won"] = at_stake - kept
    return facts
