"""Hook implementations of the built-in PayPal plugin (entry point ``paypal``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from disputeflow import (
    ActionRequest,
    Case,
    Connection,
    DailyVolumes,
    EvidenceItem,
    Marketplace,
    MarketplaceError,
    hookimpl,
)
from disputeflow.plugins.paypal import evidence
from disputeflow.plugins.paypal.actions import check
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.volume import PaymentVolume

DEMO_PAYMENTS_A_DAY = 50  # the sample volume of a demo connection

log = logging.getLogger(__name__)

MARKETPLACE = PaypalMarketplace()
VOLUME = PaymentVolume(lambda: MARKETPLACE.now())


@hookimpl
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    return [MARKETPLACE]


@hookimpl
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Refuse at once what PayPal does not offer on the dispute now (its links and response
    options, as the case last showed them), instead of from the worker later."""
    if (
        case.platform != MARKETPLACE.name
        or action.type not in MARKETPLACE.capabilities.all_actions()
    ):
        return None
    return check(case, action)


@hookimpl
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """Successful PayPal payments in ``[start, end)`` (Transaction Search, kept per day)."""
    if connection.platform != MARKETPLACE.name:
        return None
    if connection.demo:  # a `disputeflow demo` connection: no account to ask, a sample
        return DailyVolumes.demo_count(start, end, DEMO_PAYMENTS_A_DAY)
    try:
        return VOLUME.count(MARKETPLACE.api(connection), connection.id, start, end)
    except MarketplaceError as error:
        log.warning("PayPal payment volume for %s unavailable: %s", connection.id, error.message)
        return None


@hookimpl
def disputeflow_collect_evidence(case: Case, connection: Connection) -> Iterable[EvidenceItem]:
    """The dispute's transactions, items, buyer and messages, and the payment's tracking on
    PayPal; a demo connection has no account to ask."""
    if connection.platform != MARKETPLACE.name or connection.demo:
        return []
    return evidence.collect(MARKETPLACE.api(connection), case)
