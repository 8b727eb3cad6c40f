"""Installing into an existing store through WooCommerce's key flow (``/wc-auth/v1/authorize``).

1. ``start_install`` (CLI ``disputeflow woocommerce install``, or ``POST /install/woocommerce``
   with an admin token) creates the connection without keys, with a generated webhook secret,
   and returns the authorize URL.
2. The merchant approves in WordPress; WooCommerce POSTs the keys as JSON to the callback,
   which must answer exactly 200 (anything else deletes the key).
3. The callback checks ``user_id``: ``{connection_id}.{expiry}.{HMAC-SHA256(webhook secret)}``,
   so it is bound to that pending connection, expires, and needs no server-side nonce table;
   a connection that already has keys refuses a second callback. The keys are stored
   encrypted, and the webhooks are created once the 200 has been sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, request
from markupsafe import escape
from werkzeug.exceptions import Forbidden

from disputeflow import (
    ActionNotAllowedError,
    InvalidInputError,
    NotFoundError,
    Runtime,
    SignatureError,
)
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.plugins.woocommerce.settings import has_keys
from disputeflow.plugins.woocommerce.subscriptions import APP_NAME

log = logging.getLogger(__name__)

PLATFORM = "woocommerce"
SCOPE = "read_write"
STATE_LIFETIME = timedelta(hours=1)
PREFIX = "/install/woocommerce"

blueprint = Blueprint("woocommerce_install", __name__, url_prefix=PREFIX)


# -- the signed user_id ---------------------------------------------------------------------


def _signature(connection_id: str, expires: int, secret: str) -> str:
    message = f"woocommerce-install:{connection_id}.{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_state(connection_id: str, secret: str, now: datetime) -> str:
    """The ``user_id`` WooCommerce echoes back to the callback."""
    expires = int((now + STATE_LIFETIME).timestamp())
    return f"{connection_id}.{expires}.{_signature(connection_id, expires, secret)}"


def _ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 12  # "²".isdigit() is True


def check_state(state: Any, connection_id: str, secret: str, now: datetime) -> None:
    """Refuse a ``user_id`` not made for this connection, or made too long ago."""
    parts = state.split(".") if isinstance(state, str) else []
    if len(parts) != 3 or parts[0] != connection_id or not _ascii_number(parts[1]):
        raise SignatureError("the callback's user_id was not issued for this connection")
    expected = _signature(connection_id, int(parts[1]), secret)
    if not hmac.compare_digest(expected.encode(), parts[2].encode(errors="replace")):
        raise SignatureError("the callback's user_id does not carry a valid signature")
    if int(parts[1]) < now.timestamp():
        raise SignatureError("the install link has expired: start the install again")


# -- starting ----------------------------------------------------------------------------------


def authorize_url(store_url: str, connection_id: str, state: str, public_url: str) -> str:
    """``{store}/wc-auth/v1/authorize`` with every parameter WooCommerce requires."""
    base = f"{public_url.rstrip('/')}{PREFIX}/{connection_id}"
    query = urlencode({
        "app_name": APP_NAME,
        "scope": SCOPE,
        "user_id": state,
        "return_url": f"{base}/return",
        "callback_url": f"{base}/callback",
    })  # fmt: skip
    return f"{store_url.rstrip('/')}/wc-auth/v1/authorize?{query}"


def start_install(
    runtime: Runtime, name: str, store_url: str, options: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """Create the pending connection; return it and the URL the merchant opens."""
    public_url = runtime.settings.public_url
    if urlsplit(public_url).scheme != "https":
        raise InvalidInputError(
            f"WooCommerce posts the keys only to an https callback; DISPUTEFLOW_PUBLIC_URL "
            f"is {public_url}",
            errors={"public_url": ["must be https"]},
        )
    secret = secrets.token_urlsafe(32)
    settings = {**(options or {}), "store_url": store_url, "webhook_secret": secret}
    described = runtime.add_connection(PLATFORM, name, settings)
    state = make_state(described["id"], secret, utcnow())
    store = described["settings"].get("store_url", store_url)
    return described, authorize_url(store, described["id"], state, public_url)


# -- routes ------------------------------------------------------------------------------------


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["disputeflow"]
    return runtime


def _require_admin(runtime: Runtime) -> None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    role = runtime.token_role(token)
    if role is None:
        raise SignatureError("an admin API token is needed to start an install")
    if role != Role.ADMIN:
        raise Forbidden("only an admin token can connect a store")


@blueprint.post("")
def start() -> Any:
    """``{"name", "store_url", "woopayments"?, "return_statuses"?, "api_refund"?}``."""
    runtime = _runtime()
    _require_admin(runtime)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body.get("name") or not body.get("store_url"):
        raise InvalidInputError(
            "name and store_url are required",
            errors={"name": ["required"], "store_url": ["required"]},
        )
    options = {k: body[k] for k in ("woopayments", "return_statuses", "api_refund") if k in body}
    described, url = start_install(runtime, str(body["name"]), str(body["store_url"]), options)
    return {"connection": described, "authorize_url": url}, 201


def _pending_connection(runtime: Runtime, connection_id: str) -> Any:
    connection = runtime.connection_by_id(connection_id)
    if connection.platform != PLATFORM:
        raise NotFoundError(f"no {PLATFORM} connection {connection_id!r}")
    return connection


@blueprint.post("/<connection_id>/callback")
def callback(connection_id: str) -> Response:
    """The keys WooCommerce posts once the merchant approves; exactly 200 on success."""
    runtime = _runtime()
    connection = _pending_connection(runtime, connection_id)
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise InvalidInputError("the callback body must be the JSON WooCommerce sends")
    check_state(body.get("user_id"), connection_id, str(connection.settings["webhook_secret"]),
                utcnow())  # fmt: skip
    if has_keys(connection.settings):
        raise ActionNotAllowedError("this connection already has its keys")
    if body.get("key_permissions") != SCOPE:
        raise InvalidInputError(f"the key must be {SCOPE}, got {body.get('key_permissions')!r}")
    keys = {
        "consumer_key": body.get("consumer_key"),
        "consumer_secret": body.get("consumer_secret"),
    }
    runtime.update_connection_settings(connection_id, keys)
    response = Response(b"", status=200, content_type="text/plain")
    response.call_on_close(lambda: subscribe_after_install(runtime, connection_id))
    return response


def subscribe_after_install(runtime: Runtime, connection_id: str) -> list[str]:
    """Create the webhooks; a failure is logged (``connections register-webhooks`` retries)."""
    try:
        connection = _pending_connection(runtime, connection_id)
        return runtime.plugins.marketplace(PLATFORM).register_webhooks(connection)
    except Exception as error:
        log.warning("webhooks for %s not created: %s", connection_id, error)
        return []


@blueprint.get("/<connection_id>/return")
def finished(connection_id: str) -> Response:
    """Where WooCommerce sends the merchant back (``success=1`` or ``0``)."""
    connection = _pending_connection(_runtime(), connection_id)
    approved = request.args.get("success") == "1" and has_keys(connection.settings)
    title = "Store connected" if approved else "Store not connected"
    text = (
        f"disputeflow now receives the cases of {connection.settings['store_url']}."
        if approved
        else "The store did not grant access. Start the install again to retry."
    )
    heading = escape(title)
    page = f"<!doctype html><title>{heading}</title><h1>{heading}</h1><p>{escape(text)}</p>"
    return Response(page, status=200, content_type="text/html; charset=utf-8")
