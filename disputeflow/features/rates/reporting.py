"""What a page or a report that shows converted amounts needs: fresh rates, a converter."""

from __future__ import annotations

from disputeflow.engine.runtime import Runtime
from disputeflow.features.rates.convert import ECB_PLUGIN, Converter
from disputeflow.features.rates.plugin import BOOK

PAGE_TIMEOUT = 3.0  # seconds: someone is waiting for the page


def converter_for(runtime: Runtime, *, timeout: float = PAGE_TIMEOUT) -> Converter | None:
    """A converter into the reporting currency (``None`` without one). When the built-in
    ECB provider is in use, its rates are made fresh first (the saved copy, else the ECB,
    with a short timeout): a page is not a transaction, so it may wait that long."""
    if not getattr(runtime.rules, "reporting_currency", None):
        return None
    if runtime.plugins.get_plugin(ECB_PLUGIN) is not None:
        BOOK.refresh(runtime.settings.home, timeout=timeout)
    return Converter(runtime.rules, runtime.plugins)
