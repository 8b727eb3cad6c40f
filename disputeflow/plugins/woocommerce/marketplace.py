"""The WooCommerce marketplace adapter: orders, refunds, returns and WooPayments disputes.

WooCommerce has no dispute or return flow of its own, so its cases come from three places:
WooPayments' disputes (read through ``/payments/disputes``), a returns extension's order
statuses and meta, and the refunds on each order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from disputeflow import (
    ActionRequest,
    ActionResult,
    Capabilities,
    Case,
    ChallengeResponse,
    Connection,
    FoundOrder,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    SetupState,
    SnapshotError,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import Translation
from disputeflow.plugins.woocommerce import (
    actions,
    buyers,
    samples,
    setup,
    subscriptions,
    sync,
    webhooks,
)
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.disputes import dispute_snapshot, order_disputes
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES
from disputeflow.plugins.woocommerce.orders import (
    charge_of,
    may_hold_dispute,
    order_id,
    order_refunds,
)
from disputeflow.plugins.woocommerce.returns import return_snapshot
from disputeflow.plugins.woocommerce.settings import WooCommerceSettingsSchema

EXAMPLE_KEY = "ck_" + "0123456789abcdef" * 2 + "01234567"
EXAMPLE_SECRET = "cs_" + "fedcba9876543210" * 2 + "76543210"


class WooCommerceMarketplace(Marketplace):
    """WooCommerce stores (REST API v3), with WooPayments and returns extensions."""

    name = "woocommerce"
    title = "WooCommerce"
    capabilities: ClassVar[Capabilities] = Capabilities.build(
        {
            "chargeback": ["accept", "contest"],
            "inquiry": ["accept", "contest", "refund", "send_message"],
            "return": ["approve_return", "decline_return", "refund", "send_message"],
        },
        webhooks=True,
        polling=True,
        partial_refunds=True,
        register_webhooks=True,
        order_lookup=True,
        buyer_messages=True,
    )
    settings_schema = WooCommerceSettingsSchema

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sleep = sleep  # tests replace both: no real waiting, a fixed clock
        self.now = now

    def client(self, connection: Connection) -> WooClient:
        """The connection's REST API client."""
        return WooClient(connection.settings, sleep=self.sleep)

    def example_settings(self) -> dict[str, Any]:
        return {
            "store_url": "https://demo-store.example",
            "consumer_key": EXAMPLE_KEY,
            "consumer_secret": EXAMPLE_SECRET,
            "webhook_secret": "wc-demo-webhook-secret",
        }

    # -- inbound ------------------------------------------------------------------------

    def answer_ping(
        self, connection: Connection, request: InboundRequest
    ) -> ChallengeResponse | None:
        return webhooks.answer_ping(request)

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return webhooks.verify(connection, request)

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        """Order topics only (no refund or dispute topic exists); deletions end nothing."""
        resource, _, event = delivery.topic.partition(".")
        if resource != "order" or event == "deleted":
            return []
        order = webhooks.parse_body(delivery.body)
        if not isinstance(order, dict):
            raise SnapshotError("an order delivery whose body is not an object")
        return self.translate_order(connection, order, created=event == "created")

    def translate_order(
        self, connection: Connection, order: dict[str, Any], *, created: bool = False
    ) -> list[Translation]:
        """The order's return case (update-only when the order may close one, never for a
        new order: no case can predate it), its WooPayments disputes (read from the API when
        the order may hold one), and its refunds."""
        statuses = connection.settings.get("return_statuses") or DEFAULT_RETURN_STATUSES
        items: list[Translation] = []
        snapshot = return_snapshot(order, statuses)
        if snapshot is not None and not (created and snapshot.update_only):
            items.append(snapshot)
        if may_hold_dispute(order, connection.settings):
            items += self._order_disputes(connection, order)
        items += order_refunds(order)
        return items

    def _order_disputes(self, connection: Connection, order: dict[str, Any]) -> list[Translation]:
        identifier = order_id(order)
        number = str(order["number"]) if order.get("number") not in (None, "") else None
        client = self.client(connection)
        found = order_disputes(client, identifier, number, charge_of(order))
        return [dispute_snapshot(dispute, order_hint=identifier) for dispute in found]

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        return samples.sample_deliveries(connection)

    def setup_state(
        self, connection: Connection, public_url: str, install_url: str | None
    ) -> SetupState:
        return setup.setup_state(connection, public_url)

    # -- outbound -------------------------------------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        return sync.list_changes(self.client(connection), connection.settings, cursor, self.now())

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        return actions.perform(self.client(connection), connection.settings, case, action)

    def register_webhooks(self, connection: Connection) -> list[str]:
        return subscriptions.register(self.client(connection), connection)

    def find_order(
        self, connection: Connection, order_number: str, email: str
    ) -> FoundOrder | None:
        return buyers.find_order(self.client(connection), order_number, email)

    def send_buyer_message(
        self, connection: Connection, case: Case, message: str, idempotency_key: str
    ) -> str | None:
        return buyers.send_buyer_message(self.client(connection), case, message, idempotency_key)
