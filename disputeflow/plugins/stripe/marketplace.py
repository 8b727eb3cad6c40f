"""The Stripe marketplace adapter: disputes, inquiries and early fraud warnings of one
Stripe account, by webhook and by polling; accept, contest and refund; payment counts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar

from disputeflow import (
    ActionRequest,
    ActionResult,
    Capabilities,
    Case,
    CaseSnapshot,
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    SnapshotError,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.clock import utcnow
from disputeflow.plugins.stripe import actions, sync, webhooks
from disputeflow.plugins.stripe.client import StripeClient
from disputeflow.plugins.stripe.disputes import snapshot_of
from disputeflow.plugins.stripe.objects import unix_time
from disputeflow.plugins.stripe.samples import sample_bodies
from disputeflow.plugins.stripe.settings import (
    DEFAULT_ORDER_KEYS,
    StripeSettingsSchema,
    signing_secrets,
)
from disputeflow.plugins.stripe.volume import VolumeCounter

# https://docs.stripe.com/api/events/types (checked 2026-12-04)
DISPUTE_EVENTS = frozenset({
    "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
    "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated",
})  # fmt: skip
WARNING_EVENTS = frozenset(
    {"radar.early_fraud_warning.created", "radar.early_fraud_warning.updated"}
)
EXAMPLE_KEY = "rk_test_" + "51Example0000000000000000"
EXAMPLE_SECRET = "whsec_" + "0123456789abcdef0123456789abcdef"


class StripeMarketplace(Marketplace):
    """Stripe (API version pinned in :mod:`.client`)."""

    name = "stripe"
    title = "Stripe"
    capabilities: ClassVar[Capabilities] = Capabilities.build(
        {"chargeback": ["accept", "contest"], "inquiry": ["accept", "contest", "refund"]},
        webhooks=True,
        polling=True,
        partial_refunds=True,
    )
    settings_schema = StripeSettingsSchema

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sleep = sleep  # tests replace both: no real waiting, a fixed clock
        self.now = now
        self.volume = VolumeCounter(lambda: self.now())

    def client(self, connection: Connection) -> StripeClient:
        return StripeClient(connection.settings, sleep=self.sleep)

    def example_settings(self) -> dict[str, Any]:
        return {"api_key": EXAMPLE_KEY, "webhook_secret": EXAMPLE_SECRET}

    @staticmethod
    def order_keys(connection: Connection) -> list[str]:
        return list(connection.settings.get("order_metadata_keys") or DEFAULT_ORDER_KEYS)

    # -- inbound ------------------------------------------------------------------------

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return webhooks.verify(connection, request, self.now())

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> list[CaseSnapshot]:
        """Dispute and early-fraud-warning events of this account; every other event
        concerns no case."""
        if delivery.topic not in DISPUTE_EVENTS | WARNING_EVENTS:
            return []
        try:
            event = json.loads(delivery.body)
            item = event["data"]["object"]
        except (ValueError, KeyError, TypeError):
            raise SnapshotError(f"delivery {delivery.id} is not a Stripe event") from None
        if event.get("account"):  # a connected account's event (Connect): not this account's
            return []
        observed = unix_time(event.get("created"))
        if not isinstance(item, dict) or observed is None:
            raise SnapshotError(f"delivery {delivery.id}: an event without an object or time")
        snapshot = snapshot_of(item, observed, self.order_keys(connection))
        return [snapshot] if snapshot is not None else []

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        """Signed now (Stripe refuses nothing older than five minutes, nor does this plugin)."""
        secret = signing_secrets(connection.settings)[0]
        moment = int(self.now().timestamp())
        return [
            SampleDelivery(name, webhooks.signed_request(body, secret=secret, timestamp=moment))
            for name, body in sample_bodies()
        ]

    # -- outbound -------------------------------------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        return sync.list_changes(
            self.client(connection), cursor, self.now(), self.order_keys(connection)
        )

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        return actions.perform(
            self.client(connection), case, action, self.now(), self.order_keys(connection)
        )

    def order_volume(self, connection: Connection, start: datetime, end: datetime) -> int:
        """Successful payments created in ``[start, end)`` (see :mod:`.volume`)."""
        return self.volume.count(connection.id, self.client(connection), start, end)
