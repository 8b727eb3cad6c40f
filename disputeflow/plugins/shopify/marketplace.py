"""ShopifyMarketplace: the adapter the core talks to; each job lives in a module of its own."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from disputeflow import (
    ActionRequest,
    ActionResult,
    AppDelivery,
    Capabilities,
    Case,
    Connection,
    InboundRequest,
    Marketplace,
    ReturnPolicy,
    SampleDelivery,
    SetupState,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
)
from disputeflow.core.clock import utcnow
from disputeflow.core.effects import Translation
from disputeflow.plugins.shopify import (
    actions,
    install,
    policy,
    return_fetch,
    samples,
    setup,
    subscriptions,
    sync,
    translate,
    webhooks,
)
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.settings import ShopifySettingsSchema
from disputeflow.plugins.shopify.tokens import TokenSource, renewable

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
        app_webhooks=True,
        install=True,
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
        """The shop's Admin API, its token renewed when it expires (raises when the
        connection has no token and cannot get one)."""
        tokens = TokenSource(connection, clock=self.clock, sleep=self.sleep)
        return ShopifyClient(
            connection.settings,
            sleep=self.sleep,
            retries=retries,
            tokens=tokens,
            connection_id=connection.id,
        )

    def has_api_access(self, connection: Connection) -> bool:
        """Whether calls can be made: a token, or the means to get one."""
        return bool(connection.settings.get("access_token")) or renewable(connection.settings)

    # -- inbound ------------------------------------------------------------------------

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        return webhooks.verify(connection, request)

    def verify_app_delivery(
        self, request: InboundRequest, connections: Sequence[Connection]
    ) -> AppDelivery:
        return webhooks.verify_app(request, connections, os.environ.get(install.CLIENT_SECRET_ENV))

    def install_path(self, account: str, link: str) -> str:
        return install.path(account, link)

    def install_account(self, connection: Connection) -> str | None:
        return str(connection.settings.get("shop_domain") or "") or None

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> Sequence[Translation]:
        fetch = self.fetch_return if self.has_api_access(connection) else None
        return translate.translate(connection, delivery, fetch)

    def fetch_return(self, connection: Connection, return_id: str) -> dict[str, Any]:
        """A Return's details (line items, reasons, notes, buyer) in the plain shape; one
        attempt only: a delivery is never held up by retries (polling catches up)."""
        return return_fetch.fetch_return(self.client(connection, retries=0), return_id)

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        return samples.sample_deliveries(connection)

    def setup_state(
        self, connection: Connection, public_url: str, install_url: str | None
    ) -> SetupState:
        return setup.setup_state(connection, install_url)

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
        client = self.client(connection) if self.has_api_access(connection) else None
        return policy.return_policy(connection.settings, client)

    def register_webhooks(self, connection: Connection) -> list[str]:
        return subscriptions.register(self.client(connection), connection)
