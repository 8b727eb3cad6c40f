"""Installing the app into an existing store: ``GET /install/shopify?shop=...`` and its
callback (Shopify's authorization-code grant, shopify.dev
``apps/build/authentication-authorization/access-tokens/authorization-code-grant``, checked
2026-12-04).

Only the merchant can start an install: a request Shopify signed (the ``hmac`` on the App
URL, sent when the merchant installs or opens the app from the Shopify admin), or a signed,
expiring install link (``disputeflow connections install-link shopify --shop SHOP``, or the
workspace's "Install a store" form). Anything else is refused, so a stranger cannot attach
a store to this service. The state is bound to the browser by a cookie; the callback checks
Shopify's HMAC, the timestamp, the state and the cookie, exchanges the code once (never
retried: a code is single-use) for an expiring offline token, stores the connection, and
ends on the workspace's page of that connection.
"""

from __future__ import annotations

import hmac
import os
from typing import Any
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, request
from werkzeug.wrappers import Response

from disputeflow import InvalidInputError, LinkError, MarketplaceError, Runtime
from disputeflow.core.clock import utcnow
from disputeflow.core.errors import ConfigurationError
from disputeflow.core.taxonomy import ConnectionState
from disputeflow.plugins.shopify import oauth
from disputeflow.plugins.shopify.exchange import ADMIN_URL_ENV, admin_url, exchange_code
from disputeflow.plugins.shopify.settings import is_shop_domain

CLIENT_ID_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_ID"
CLIENT_SECRET_ENV = "DISPUTEFLOW_SHOPIFY_CLIENT_SECRET"  # noqa: S105  (a variable name)
# read_all_orders needs Shopify's approval; without it only 60 days of orders are readable
# and a late chargeback loses its order (shopify.dev api/usage/access-scopes, 2026-12-04).
SCOPES = (
    "read_orders",
    "read_all_orders",
    "write_orders",
    "read_returns",
    "write_returns",
    "read_customers",
    "read_shopify_payments_disputes",
    "read_shopify_payments_dispute_evidences",
    "write_shopify_payments_dispute_evidences",
    "read_legal_policies",
)
START = "/install/shopify"
CALLBACK = "/install/shopify/callback"
STATE_COOKIE = "disputeflow_shopify_state"
WORKSPACE_CONNECTIONS = "/workspace/connections"

blueprint = Blueprint("shopify_install", __name__)


class InstallRefused(LinkError):
    """An install nobody entitled started (HTTP 403)."""

    code = "install_refused"


def path(shop: str, link: str) -> str:
    """The start of an install of ``shop`` carrying a signed install link."""
    if not is_shop_domain(shop):
        raise InvalidInputError(f"{shop!r} is not a *.myshopify.com domain")
    return f"{START}?shop={quote(shop)}&link={quote(link)}"


def _credentials() -> tuple[str, str]:
    client_id, secret = os.environ.get(CLIENT_ID_ENV), os.environ.get(CLIENT_SECRET_ENV)
    if not client_id or not secret:
        raise ConfigurationError(
            f"Shopify installs need {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} (the app's "
            "client id and secret from the Dev Dashboard)"
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


@blueprint.get(START)
def start() -> Response:
    """Send the merchant to Shopify's consent page, or to the workspace when Shopify's
    admin opened the App URL of a shop that is installed and working."""
    client_id, secret = _credentials()
    shop, now, runtime = _shop(), utcnow(), _runtime()
    if "hmac" in request.args:
        oauth.verify_query(request.args.to_dict(), secret, now)
        installed = _connection_of(runtime, shop)
        if installed is not None and installed[1] == ConnectionState.ACTIVE:
            return redirect(f"{WORKSPACE_CONNECTIONS}/{installed[0]}", code=302)
    elif "link" in request.args:
        runtime.check_install_link("shopify", shop, request.args["link"], now)
    else:
        raise InstallRefused(
            "start the install from the Shopify admin, from the workspace, or with a link "
            "made by `disputeflow connections install-link shopify --shop SHOP`"
        )
    redirect_uri = runtime.settings.public_url + CALLBACK
    state = oauth.make_state(shop, secret, now)
    consent = oauth.authorize_url(admin_url(shop), client_id, SCOPES, redirect_uri, state)
    response = redirect(consent, 302)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=oauth.STATE_MAX_AGE_SECONDS,
        path=START,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",  # sent on Shopify's top-level redirect back to the callback
    )
    return response


@blueprint.get(CALLBACK)
def callback() -> Response:
    """Check, exchange the code once, store the connection, subscribe the webhooks."""
    client_id, secret = _credentials()
    params = request.args.to_dict()
    shop, now = _shop(), utcnow()
    oauth.verify_query(params, secret, now)
    state = params.get("state") or ""
    oauth.check_state(state, shop, secret, now)
    cookie = request.cookies.get(STATE_COOKIE) or ""
    if not hmac.compare_digest(cookie.encode(), state.encode()):
        raise InstallRefused("this install was started in another browser: start it again")
    if not params.get("code"):
        raise InvalidInputError("the callback carries no code", errors={"code": ["required"]})
    runtime = _runtime()
    tokens = exchange_code(shop, client_id, secret, params["code"], now)
    settings = {"shop_domain": shop, "client_secret": secret, "client_id": client_id, **tokens}
    if os.environ.get(ADMIN_URL_ENV):  # a proxy or a local fake serves the Admin API too
        settings["api_base_url"] = admin_url(shop)
    connection_id = _store(runtime, shop, settings)
    _subscribe(runtime, connection_id)
    response = redirect(f"{WORKSPACE_CONNECTIONS}/{connection_id}?installed=1", code=302)
    response.delete_cookie(STATE_COOKIE, path=START)
    return response


def _connection_of(runtime: Runtime, shop: str) -> tuple[str, str] | None:
    """(id, state) of the shop's connection, if there is one."""
    for connection in runtime.connections_of("shopify"):
        if connection.settings.get("shop_domain") == shop:
            return connection.id, connection.state
    return None


def _store(runtime: Runtime, shop: str, settings: dict[str, Any]) -> str:
    """The shop's connection id: updated with the new tokens (and active again) on a
    reinstall, else created. A non-expiring token left from an earlier install goes."""
    existing = _connection_of(runtime, shop)
    if existing is not None:
        stale = {"access_token_expires_at", "refresh_token", "grant"} - settings.keys()
        runtime.update_connection_settings(existing[0], settings, remove=stale)
        runtime.set_connection_state(existing[0], ConnectionState.ACTIVE)
        return existing[0]
    described = runtime.add_connection("shopify", shop, settings)
    return str(described["id"])


def _subscribe(runtime: Runtime, connection_id: str) -> None:
    """Register the webhooks; a failure is logged, the connection stays (retry with
    ``disputeflow connections register-webhooks ID``)."""
    connection = runtime.connection_by_id(connection_id)
    try:
        runtime.plugins.marketplace(connection.platform).register_webhooks(connection)
    except MarketplaceError as error:
        current_app.logger.warning(
            "connection %s: webhooks not registered: %s", connection_id, error.message
        )
