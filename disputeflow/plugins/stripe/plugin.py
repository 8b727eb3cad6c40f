"""Hook implementations of the Stripe plugin (entry point ``stripe``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from disputeflow import (
    ActionRequest,
    ActionType,
    Case,
    Connection,
    DailyVolumes,
    EvidenceItem,
    Marketplace,
    hookimpl,
)
from disputeflow.plugins.stripe import collect
from disputeflow.plugins.stripe.disputes import DISPUTE, WARNING
from disputeflow.plugins.stripe.marketplace import StripeMarketplace

DEMO_PAYMENTS_A_DAY = 40  # the sample volume of a demo connection

MARKETPLACE = StripeMarketplace()
ANSWERED = frozenset({"under_review", "warning_under_review"})


@hookimpl
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    return [MARKETPLACE]


@hookimpl
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Refuse at once what Stripe would refuse later."""
    if case.platform != MARKETPLACE.name or action.type is not ActionType.CONTEST:
        return None
    if case.object_type == WARNING:
        return (
            "an early fraud warning cannot be contested: refund the payment, or answer the "
            "dispute if the bank opens one"
        )
    if case.platform_status in ANSWERED:
        return "evidence for this dispute was already submitted to the bank"
    return None


@hookimpl
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """Successful payments of a Stripe connection in ``[start, end)``, counted per day."""
    if connection.platform != MARKETPLACE.name:
        return None
    if connection.demo:  # a `disputeflow demo` connection: no account to ask, a sample
        return DailyVolumes.demo_count(start, end, DEMO_PAYMENTS_A_DAY)
    return MARKETPLACE.order_volume(connection, start, end)


@hookimpl
def disputeflow_collect_evidence(case: Case, connection: Connection) -> list[EvidenceItem]:
    """The disputed charge's own records (billing details, card checks, shipping, receipt);
    nothing for another platform, an early fraud warning, or a demo connection."""
    if connection.platform != MARKETPLACE.name or case.object_type != DISPUTE:
        return []
    if connection.demo:  # a `disputeflow demo` connection: no account to ask
        return []
    return collect.collect(MARKETPLACE.client(connection), case)
