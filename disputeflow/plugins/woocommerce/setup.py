"""Where a WooCommerce connection's setup stands, and the merchant's next step in full
(docs/platforms/woocommerce.md, "Keys made by hand" and "The key flow")."""

from __future__ import annotations

from urllib.parse import urlsplit

from disputeflow import Connection, SetupState
from disputeflow.core.clock import utcnow
from disputeflow.plugins.woocommerce.install import authorize_url, make_state
from disputeflow.plugins.woocommerce.settings import has_keys


def setup_state(connection: Connection, public_url: str) -> SetupState:
    """Authorised: both REST API keys. Without them, the key flow's approval URL (it needs an
    https public URL for WooCommerce's callback) or the keys made by hand."""
    settings = connection.settings
    update = f"`disputeflow connections update {connection.id}"
    if has_keys(settings):
        return SetupState(
            authorised=True,
            next_step=(
                f"create the store's webhooks: `disputeflow connections register-webhooks "
                f"{connection.id}` (or in WordPress, WooCommerce > Settings > Advanced > "
                f"Webhooks: topics Order created and Order updated, delivery URL "
                f"{connection.webhook_url}, secret: this connection's webhook_secret)"
            ),
        )
    if urlsplit(public_url).scheme == "https":
        state = make_state(connection.id, str(settings["webhook_secret"]), utcnow())
        url = authorize_url(str(settings["store_url"]), connection.id, state, public_url)
        return SetupState(
            authorised=False,
            install_url=url,
            next_step=(
                f"authorise API access: open {url} as a store administrator and approve "
                "(valid for an hour)"
            ),
        )
    return SetupState(
        authorised=False,
        next_step=(
            "authorise API access: in WordPress, WooCommerce > Settings > Advanced > REST API "
            f"> Add key (Read/Write), then {update} --set consumer_key=ck_... "
            "--set consumer_secret=cs_...` (one-click approval needs an https "
            "DISPUTEFLOW_PUBLIC_URL)"
        ),
    )
