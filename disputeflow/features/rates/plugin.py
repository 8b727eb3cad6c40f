"""The built-in exchange-rate provider as a plugin: the ECB's daily reference rates.

``disputeflow_exchange_rate`` is ``trylast``: the rules file's ``[rates]`` table is asked
before any plugin, and any plugin that answers replaces these rates (block this module,
``disputeflow.features.rates.plugin``, to stop it altogether). It answers from memory only
(:mod:`.book`); the worker's housekeeping keeps the rates at most a day old, and only when
a reporting currency is configured (nothing else converts amounts).
"""

from __future__ import annotations

from decimal import Decimal

from disputeflow.core.hookspecs import hookimpl
from disputeflow.engine.runtime import Runtime
from disputeflow.features.rates.book import RateBook

HOUSEKEEPING_TIMEOUT = 10.0  # seconds: the worker waits, no case does

BOOK = RateBook()


@hookimpl(trylast=True)
def disputeflow_exchange_rate(base: str, quote: str) -> Decimal | None:
    """Units of ``quote`` per unit of ``base`` at the ECB's latest rates in memory, crossed
    through the euro; ``None`` before any rates were had or for a currency the ECB does not
    publish."""
    return BOOK.rate(base, quote)


@hookimpl
def disputeflow_housekeeping(runtime: Runtime) -> None:
    """Fetch the day's rates when the copy in memory is a day old."""
    if getattr(runtime.rules, "reporting_currency", None):
        BOOK.refresh(runtime.settings.home, timeout=HOUSEKEEPING_TIMEOUT)
