"""Where a Shopify connection's setup stands, and the merchant's next step in full."""

from __future__ import annotations

from disputeflow import Connection, SetupState
from disputeflow.plugins.shopify.settings import CLIENT_CREDENTIALS

CLIENT_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_ID and DISPUTEFLOW_SHOPIFY_CLIENT_SECRET"


def setup_state(connection: Connection, install_url: str | None) -> SetupState:
    """Authorised: an Admin API token, or the client-credentials grant that fetches one.
    Without it the connection only receives webhooks."""
    settings = connection.settings
    if settings.get("access_token") or settings.get("grant") == CLIENT_CREDENTIALS:
        return SetupState(
            authorised=True,
            next_step=(
                f"subscribe the shop's webhooks: `disputeflow connections register-webhooks "
                f"{connection.id}` (Shopify then posts to {connection.webhook_url})"
            ),
        )
    ways = []
    if install_url:
        ways.append(
            f"install the app by opening {install_url} (valid for an hour; the service needs "
            f"{CLIENT_ENV} set)"
        )
    ways.append(
        f"for an app of your own organisation, `disputeflow connections update {connection.id} "
        "--set grant=client_credentials --set client_id=...`"
    )
    return SetupState(authorised=False, next_step="authorise API access: " + "; or ".join(ways))
