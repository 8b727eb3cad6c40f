"""Installing into an existing eBay seller account: user consent, then the code exchange.

1. ``GET /install/ebay/<connection>`` sends the seller to eBay's consent page with the
   scopes the plugin needs and a ``state`` that names the connection, signed with its
   client secret and valid for an hour.
2. eBay redirects to the RuName's accept URL, which must be
   ``<public url>/install/ebay/callback``; the code is exchanged for tokens there and the
   refresh token is stored (encrypted) in the connection's settings.
3. For an EU/UK-domiciled seller without a signing key, one is created with the Key
   Management API and kept in the settings (the private key encrypted like every secret);
   if eBay cannot make one now, the first signed call makes one instead.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, redirect, request

from disputeflow import (
    Connection,
    InvalidInputError,
    MarketplaceError,
    PlatformClient,
    Runtime,
    SignatureError,
)
from disputeflow.core.clock import utcnow
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.oauth import consent_url, request_token
from disputeflow.plugins.ebay.settings import Hosts
from disputeflow.plugins.ebay.signing import key_from_answer, signs_for, stored_key

log = logging.getLogger(__name__)
STATE_MAX_AGE = 3600

blueprint = Blueprint("ebay_install", __name__, url_prefix="/install/ebay")


def _sign(connection_id: str, issued: int, secret: str) -> str:
    message = f"{connection_id}.{issued}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def make_state(connection: Connection, issued: int) -> str:
    """``<connection id>.<unix time>.<signature>``: who is being installed, since when."""
    secret = str(connection.settings["client_secret"])
    return f"{connection.id}.{issued}.{_sign(connection.id, issued, secret)}"


def check_state(connection: Connection, state: str, now: int) -> None:
    """Refuse a state this connection did not issue within the last hour."""
    _, issued_text, signature = [*state.rsplit(".", 2), "", ""][:3]
    expected = _sign(connection.id, int(issued_text) if _digits(issued_text) else -1,
                     str(connection.settings["client_secret"]))  # fmt: skip
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("the install state was not issued for this connection")
    if not _digits(issued_text) or not 0 <= now - int(issued_text) <= STATE_MAX_AGE:
        raise SignatureError("the install link expired: start again")


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["disputeflow"]
    return runtime


def _connection(runtime: Runtime, connection_id: str) -> Connection:
    connection = runtime.connection_by_id(connection_id)
    if connection.platform != "ebay":
        raise InvalidInputError(f"connection {connection_id!r} is not an eBay connection")
    return connection


@blueprint.get("/<connection_id>")
def start(connection_id: str) -> Any:
    """Send the seller to eBay's consent page."""
    connection = _connection(_runtime(), connection_id)
    if not connection.settings.get("ru_name"):
        raise InvalidInputError(
            "set the connection's ru_name (the RuName eBay gave the app) before installing",
            errors={"ru_name": ["required for the install flow"]},
        )
    state = make_state(connection, int(utcnow().timestamp()))
    return redirect(consent_url(connection.settings, state), code=302)


@blueprint.get("/callback")
def callback() -> Any:
    """Exchange eBay's code for tokens and keep the refresh token."""
    if request.args.get("error"):
        reason = html.escape(request.args.get("error_description") or request.args["error"])
        return Response(f"<p>eBay did not grant access: {reason}</p>", 400, mimetype="text/html")
    code, state = request.args.get("code"), request.args.get("state", "")
    if not code or "." not in state:
        raise InvalidInputError("eBay's redirect lacks code or state")
    runtime = _runtime()
    connection = _connection(runtime, state.rsplit(".", 2)[0])
    check_state(connection, state, int(utcnow().timestamp()))
    marketplace = runtime.plugins.marketplace("ebay")
    ebay = marketplace if isinstance(marketplace, EbayMarketplace) else EbayMarketplace()
    http = PlatformClient(Hosts.of(connection.settings).api, sleep=ebay.sleep)
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": str(connection.settings.get("ru_name") or "")}  # fmt: skip
    answer = request_token(http, connection.settings, form)
    refresh = answer.get("refresh_token")
    if not refresh:
        raise MarketplaceError("eBay's code exchange returned no refresh token")
    runtime.update_connection_settings(connection.id, {"refresh_token": str(refresh)})
    installed = replace(connection, settings={**connection.settings, "refresh_token": refresh})
    ebay.tokens.remember_user(installed, answer)
    _keep_signing_key(runtime, ebay, installed)
    name = html.escape(connection.name)
    return Response(f"<p>eBay account connected to {name}.</p>", 200, mimetype="text/html")


def _keep_signing_key(runtime: Runtime, ebay: EbayMarketplace, connection: Connection) -> None:
    """Create and store the app's signing key for an EU/UK seller that has none."""
    if not signs_for(connection.settings) or stored_key(connection.settings) is not None:
        return
    try:
        with ebay.api(connection) as api:
            _, settings = key_from_answer(api.create_key())
    except MarketplaceError as error:
        log.warning("no eBay signing key for %s yet: %s", connection.id, error.message)
        return
    runtime.update_connection_settings(connection.id, settings)


def _digits(text: str) -> bool:
    """ASCII digits only (``²`` is a digit to ``str.isdigit`` but not to ``int``)."""
    return text.isascii() and text.isdigit()
