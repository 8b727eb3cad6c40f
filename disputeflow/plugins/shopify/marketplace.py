"""ShopifyMarketplace: the adapter the core talks to; each job lives in a module of its own."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    Capabilities,
    Case,
    Connection,
    InboundRequest,
    Marketplace,
    ReturnPolicy,
    SampleDelivery,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import Translation
from disputeflow.plugins.shopify import (
    actions,
    policy,
    return_fetch,
    samples,
    subscriptions,
    sync,
    translate,
    webhooks,
)
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.settings import ShopifySettingsSchema

log = logging.getLogger(__name__)


class ShopifyMarketplace(Marketplace):
    """Shopify Payments disputes and inquiries, returns, refunds and compliance requests."""

    name = "shopify"
    title = "Shopify"
    capabilities = Capabilities.build(
        {
            "chargeback": ["contest"],
            "inquiry": ["contest", "refund"],
            "return": ["approve_return", "decline_return", "refund"],
        },
        webhooks=True,
        polling=True,
        partial_refunds=True,
        return_policy=True,
        register_webhooks=True,
    )
    settings_schema = ShopifySettingsSchema

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sleep = sleep  # tests pass a recorder: nothing ever sleeps for real there
        self.clock = clock

    def example_settings(self) -> dict[str, Any]:
        return {
            "shop_domain": "disputeflow-demo.myshopify.com",
            "client_secret": "shpss_demo_client_secret_0123456789",
        }

    def client(self, connection: Connection, *, retries: int = 2) -> ShopifyClient:
        """The shop's Admin API (raises when the connection has no access token)."""
        return ShopifyClient(connection.settings, sleep=self.sleep, retries=retries)

    # -- inbound ------------------------------------------------------------------------

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return webhooks.verify(connection, request)

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        fetch = self.fetch_return if connection.settings.get("access_token") else None
        return translate.translate(connection, delivery, fetch)

    def fetch_return(self, connection: Connection, return_id: str) -> dict[str, Any]:
        """A Return's details (line items, reasons, notes, buyer) in the plain shape; one
        attempt only: a delivery is never held up by retries (polling catches up)."""
        return return_fetch.fetch_return(self.client(connection, retries=0), return_id)

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        return samples.sample_deliveries(connection)

    # -- outbound -------------------------------------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        return sync.list_changes(self.client(connection), cursor, self.clock())

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        return actions.perform(self.client(connection), case, action)

    def return_policy(self, connection: Connection) -> ReturnPolicy | None:
        token = connection.settings.get("access_token")
        return policy.return_policy(connection.settings, self.client(connection) if token else None)

    def register_webhooks(self, connection: Connection) -> list[str]:
        return subscriptions.register(self.client(connection), connection)
