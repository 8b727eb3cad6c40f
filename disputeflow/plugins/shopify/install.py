"""Installing the app into an existing store: ``GET /install/shopify?shop=...`` and its
callback (Shopify's OAuth authorization-code grant).

The app's client id and secret are the installation's, read from
``DISPUTEFLOW_SHOPIFY_CLIENT_ID`` and ``DISPUTEFLOW_SHOPIFY_CLIENT_SECRET``. The callback
checks the HMAC, the timestamp and the state, exchanges the code for an offline token,
stores (or updates) the shop's connection, and subscribes its webhooks.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, current_app, redirect, request
from werkzeug.wrappers import Response

from disputeflow import InvalidInputError, MarketplaceError
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ConfigurationError
from disputeflow.core.http import PlatformClient
from disputeflow.core.runtime import Runtime
from disputeflow.core.store import connections as store
from disputeflow.plugins.shopify import oauth
from disputeflow.plugins.shopify.settings import is_shop_domain

CLIENT_ID_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_ID"
CLIENT_SECRET_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_SECRET"  # noqa: S105  (a variable name)
SCOPES = (
    "read_orders",
    "write_orders",
    "read_returns",
    "write_returns",
    "read_customers",
    "read_shopify_payments_disputes",
    "read_shopify_payments_dispute_evidences",
    "write_shopify_payments_dispute_evidences",
    "read_legal_policies",
)
CALLBACK = "/install/shopify/callback"

blueprint = Blueprint("shopify_install", __name__)


def _credentials() -> tuple[str, str]:
    client_id, secret = os.environ.get(CLIENT_ID_ENV), os.environ.get(CLIENT_SECRET_ENV)
    if not client_id or not secret:
        raise ConfigurationError(
            f"Shopify installs need {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} (the app's "
            "client id and secret from the Partner Dashboard)"
        )
    return client_id, secret


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["disputeflow"]
    return runtime


def _shop() -> str:
    shop = (request.args.get("shop") or "").strip().lower()
    if not is_shop_domain(shop):
        raise InvalidInputError(
            "shop must be a *.myshopify.com domain", errors={"shop": ["not a myshopify.com domain"]}
        )
    return shop


@blueprint.get("/install/shopify")
def start() -> Response:
    """Send the merchant to Shopify's consent page (checking Shopify's HMAC when the
    request came from the Shopify admin, which signs it)."""
    client_id, secret = _credentials()
    shop = _shop()
    now = utcnow()
    if "hmac" in request.args:
        oauth.verify_query(request.args.to_dict(), secret, now)
    redirect_uri = _runtime().settings.public_url + CALLBACK
    state = oauth.make_state(shop, secret, now)
    return redirect(oauth.authorize_url(shop, client_id, SCOPES, redirect_uri, state), code=302)


@blueprint.get(CALLBACK)
def callback() -> tuple[dict[str, Any], int]:
    """Check, exchange the code, store the connection, subscribe the webhooks."""
    client_id, secret = _credentials()
    params = request.args.to_dict()
    shop, now = _shop(), utcnow()
    oauth.verify_query(params, secret, now)
    oauth.check_state(params.get("state") or "", shop, secret, now)
    if not params.get("code"):
        raise InvalidInputError("the callback carries no code", errors={"code": ["required"]})
    token, scope = _exchange(shop, client_id, secret, params["code"])
    runtime = _runtime()
    settings = {"shop_domain": shop, "client_secret": secret, "access_token": token}
    connection_id = _store(runtime, shop, settings)
    topics, errors = _subscribe(runtime, connection_id)
    return {
        "status": "installed",
        "shop": shop,
        "connection_id": connection_id,
        "webhook_url": runtime.settings.webhook_url("shopify", connection_id),
        "scopes": scope.split(",") if scope else [],
        "topics": topics,
        "errors": errors,
    }, 200


def _exchange(shop: str, client_id: str, secret: str, code: str) -> tuple[str, str]:
    """``POST https://{shop}/admin/oauth/access_token`` -> ``(access_token, scope)``."""
    market = _runtime().plugins.marketplace("shopify")
    client = PlatformClient(f"https://{shop}", sleep=getattr(market, "sleep", None) or _no_wait)
    body = client.json(
        "POST",
        "/admin/oauth/access_token",
        json={"client_id": client_id, "client_secret": secret, "code": code},
    )
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise MarketplaceError("Shopify answered the code exchange without an access_token")
    return str(token), str(body.get("scope") or "")


def _no_wait(seconds: float) -> None:
    """Never used unless the marketplace has no ``sleep`` (a replaced adapter)."""


def _store(runtime: Runtime, shop: str, settings: dict[str, Any]) -> str:
    """The shop's connection id: updated with the new token on a reinstall, else created."""
    with runtime.database.session(readonly=True) as session:
        for row in store.list_rows(session, platform="shopify"):
            if runtime.connection(row).settings.get("shop_domain") == shop:
                existing = row.id
                break
        else:
            existing = None
    if existing is not None:
        runtime.update_connection_settings(existing, settings)
        return existing
    described = runtime.add_connection("shopify", shop, settings)
    return str(described["id"])


def _subscribe(runtime: Runtime, connection_id: str) -> tuple[list[str], list[str]]:
    """Register the webhooks; a failure is reported, the connection stays (retry with
    ``disputeflow connections register-webhooks ID``)."""
    with runtime.database.session(readonly=True) as session:
        row = store.get_row(session, connection_id)
        connection = runtime.connection(row)
    try:
        return runtime.marketplace_of(row).register_webhooks(connection), []
    except MarketplaceError as error:
        return [], [f"webhooks not registered: {error.message}"]
