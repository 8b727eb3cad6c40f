"""Converting an amount into the reporting currency, and saying which rate did it.

The rate comes from the rules file's ``[rates]`` table (rates to the reporting currency),
else from the first plugin that answers ``disputeflow_exchange_rate``, as the hook's
``firstresult`` would ask them. The hook can only answer a ``Decimal``, so the
implementations are asked one by one here to know *who* answered: when it is the built-in
ECB provider, the date of its rates goes with the figure (:attr:`Quote.label`), and every
page that shows a converted amount shows that label beside it.

Conversion is only ever for comparing and reporting: refunds stay in the order's currency.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from disputeflow.core.money import Money, minor_units
from disputeflow.core.plugins import PluginManager
from disputeflow.features.rates import plugin as ecb_plugin

log = logging.getLogger(__name__)

ECB_PLUGIN = "disputeflow.features.rates.plugin"
RULES = "rules file"
ECB = "ECB"


@dataclass(frozen=True)
class Quote:
    """A rate and where it came from (``day``: the date of the ECB's rates)."""

    rate: Decimal
    source: str
    day: date | None = None

    @property
    def label(self) -> str:
        """``ECB reference rate of 2026-12-03``, ``rate from the rules file`` ..."""
        if self.source == ECB and self.day is not None:
            return f"ECB reference rate of {self.day.isoformat()}"
        if self.source == RULES:
            return "rate from the rules file"
        return f"rate from plugin {self.source}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": str(self.rate),
            "source": self.source,
            "date": self.day.isoformat() if self.day else None,
            "label": self.label,
        }


@dataclass(frozen=True)
class Converted:
    """An amount in the reporting currency; ``quote`` is ``None`` when it was already."""

    amount: Money
    original: Money
    quote: Quote | None = None

    @property
    def label(self) -> str:
        return self.quote.label if self.quote else ""


def _valid(rate: object) -> Decimal | None:
    if rate is None or isinstance(rate, bool | float):
        return None
    try:
        value = rate if isinstance(rate, Decimal) else Decimal(str(rate))
    except ArithmeticError:
        return None
    return value if value.is_finite() and value > 0 else None


def hook_quote(plugins: PluginManager, base: str, quote: str) -> Quote | None:
    """The first plugin's answer to ``disputeflow_exchange_rate``, with who gave it. A
    plugin that raises is logged and passed over (a case is being saved)."""
    for impl in reversed(plugins.hook.disputeflow_exchange_rate.get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        wanted = {"base": base, "quote": quote}
        try:
            answer = impl.function(**{k: wanted[k] for k in impl.argnames if k in wanted})
        except Exception:
            log.exception("disputeflow_exchange_rate of plugin %s failed", impl.plugin_name)
            continue
        rate = _valid(answer)
        if rate is None:
            continue
        if impl.plugin is ecb_plugin:
            rates = ecb_plugin.BOOK.rates
            return Quote(rate, ECB, rates.day if rates is not None else None)
        return Quote(rate, impl.plugin_name)
    return None


def quote_of(
    base: str,
    quote: str,
    *,
    plugins: PluginManager,
    table: Mapping[str, Decimal] | None = None,
    reporting: str | None = None,
) -> Quote | None:
    """Units of ``quote`` per unit of ``base``: the rules' table (its rates are to the
    reporting currency), else the hook; ``None`` when nobody knows."""
    if base == quote:
        return Quote(Decimal(1), "same currency")
    if table and quote == reporting and base in table:
        return Quote(table[base], RULES)
    return hook_quote(plugins, base, quote)


def convert(
    amount: Money,
    target: str,
    *,
    plugins: PluginManager,
    table: Mapping[str, Decimal] | None = None,
    reporting: str | None = None,
) -> Converted | None:
    """``amount`` in ``target``, rounded half-even to its minor units; ``None`` without a
    rate."""
    if amount.currency == target:
        return Converted(amount, amount)
    found = quote_of(amount.currency, target, plugins=plugins, table=table, reporting=reporting)
    if found is None:
        return None
    exponent = Decimal(1).scaleb(-minor_units(target))
    value = (amount.value * found.rate).quantize(exponent, rounding=ROUND_HALF_EVEN)
    return Converted(Money(value, target), amount, found)


class Converter:
    """Amounts into one installation's reporting currency (its rules' table, the hook)."""

    def __init__(self, rules: Any, plugins: PluginManager) -> None:
        self.target: str = rules.reporting_currency
        self._table: Mapping[str, Decimal] = getattr(rules, "rates", None) or {}
        self._plugins = plugins

    def __call__(self, amount: Money) -> Converted | None:
        return convert(
            amount, self.target, plugins=self._plugins, table=self._table, reporting=self.target
        )
