"""The PayPal marketplace adapter: disputes by webhook and by polling, and the merchant's
answers to them through the Disputes API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from disputeflow import (
    ActionRequest,
    ActionResult,
    ActionType,
    Capabilities,
    Case,
    Connection,
    InboundRequest,
    InvalidInputError,
    Marketplace,
    SampleDelivery,
    SnapshotError,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.clock import parse_rfc3339, utcnow
from disputeflow.core.effects import Translation
from disputeflow.plugins.paypal import samples, sync
from disputeflow.plugins.paypal.actions import DisputeActions, offered_types
from disputeflow.plugins.paypal.api import PaypalApi
from disputeflow.plugins.paypal.disputes import to_snapshot
from disputeflow.plugins.paypal.settings import EXAMPLE_SETTINGS, PaypalSettingsSchema
from disputeflow.plugins.paypal.verification import make_verifier
from disputeflow.plugins.paypal.webhooks import TOPICS, Verifier

RESPONDING = ["accept", "contest", "refund", "send_message"]


class PaypalMarketplace(Marketplace):
    """PayPal disputes: inquiries, PayPal claims and card chargebacks on PayPal payments."""

    name = "paypal"
    title = "PayPal"
    capabilities: ClassVar[Capabilities] = Capabilities.build(
        {"inquiry": RESPONDING, "claim": RESPONDING, "chargeback": ["accept", "contest"]},
        webhooks=True,
        polling=True,
        partial_refunds=True,
    )
    settings_schema = PaypalSettingsSchema

    def __init__(self, verifier: Verifier | None = None) -> None:
        self.verifier = verifier or make_verifier()
        self.now: Callable[[], datetime] = utcnow
        self.sleep: Callable[[float], None] | None = None  # PlatformClient's, when None

    def example_settings(self) -> dict[str, Any]:
        return dict(EXAMPLE_SETTINGS)

    def api(self, connection: Connection) -> PaypalApi:
        return PaypalApi(connection, sleep=self.sleep)

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return self.verifier.verify(connection, request)

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        try:
            event = json.loads(delivery.body)
        except ValueError:
            raise SnapshotError(f"delivery {delivery.id} is not JSON") from None
        if not isinstance(event, dict) or event.get("event_type") not in TOPICS:
            return []
        resource = event.get("resource")
        if not isinstance(resource, dict):
            raise SnapshotError(f"delivery {delivery.id} carries no dispute")
        created = event.get("create_time")
        try:
            sent = parse_rfc3339(created) if isinstance(created, str) else None
        except InvalidInputError:
            sent = None  # the dispute's own update_time orders it
        return [to_snapshot(self.name, resource, sent)]

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        return samples.sample_deliveries(connection)

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        return sync.list_changes(self.api(connection), self.name, cursor, self.now())

    def case_actions(self, case: Case, actions: Sequence[ActionType]) -> Sequence[ActionType]:
        """Only what PayPal's links on the dispute offer now (``extra.paypal_actions``)."""
        return offered_types(case, actions)

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        return DisputeActions(self.api(connection), self.name).perform(case, action)
