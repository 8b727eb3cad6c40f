"""The settings of a WooCommerce connection, and what follows from them.

The API keys may be absent while an install through ``/wc-auth/v1/authorize`` is pending:
the connection is created first (with a generated webhook secret), and the store posts the
keys to the callback. Keys are both set or both absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from disputeflow import BaseSettingsSchema
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES

API_PATH = "/wp-json/wc/v3"


class StatusList(fields.Field[list[str]]):
    """Order statuses as a list, or as one comma-separated string (``--set a,b``)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ValidationError("a list of order statuses, or a comma-separated string")
        statuses = [item.strip().removeprefix("wc-") for item in items if item.strip()]
        if not statuses:
            raise ValidationError("at least one order status")
        return statuses


class WooCommerceSettingsSchema(BaseSettingsSchema):
    """What a WooCommerce connection needs; secrets are encrypted at rest."""

    store_url = fields.Url(
        required=True,
        require_tld=False,
        schemes={"http", "https"},
        metadata={"description": "The store's home URL, exactly as WordPress knows it."},
    )
    consumer_key = fields.String(
        validate=validate.Regexp(r"^ck_\w+$", error="a WooCommerce consumer key (ck_...)"),
        metadata={"secret": True, "description": "REST API consumer key (ck_...)."},
    )
    consumer_secret = fields.String(
        validate=validate.Regexp(r"^cs_\w+$", error="a WooCommerce consumer secret (cs_...)"),
        metadata={"secret": True, "description": "REST API consumer secret (cs_...)."},
    )
    webhook_secret = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "The secret the store signs webhooks with."},
    )
    woopayments = fields.Boolean(
        load_default=False,
        metadata={"description": "WooPayments is the store's gateway: read its disputes."},
    )
    return_statuses = StatusList(
        load_default=list(DEFAULT_RETURN_STATUSES),
        metadata={"description": "Order statuses that mean 'return requested'."},
    )
    api_refund = fields.Boolean(
        load_default=True,
        metadata={"description": "Refund through the payment gateway (false: record only)."},
    )
    query_string_auth = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Send the API keys as consumer_key/consumer_secret query parameters "
            "(HTTPS only), for hosts that strip the Authorization header."
        },
    )
    wpswings_secret_key = fields.String(
        validate=validate.Length(min=1),
        metadata={
            "secret": True,
            "description": "The WPSwings returns plugin's API secret key (its API settings): "
            "approve and decline returns through its REST routes.",
        },
    )

    @validates_schema
    def _keys_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("consumer_key")) != bool(data.get("consumer_secret")):
            missing = "consumer_secret" if data.get("consumer_key") else "consumer_key"
            raise ValidationError("set both API keys, or neither (install pending)", missing)

    @validates_schema
    def _query_string_over_https(self, data: dict[str, Any], **kwargs: Any) -> None:
        base = data.get("api_base_url") or data.get("store_url") or ""
        if data.get("query_string_auth") and urlsplit(str(base)).scheme != "https":
            raise ValidationError(
                "query-string authentication is for HTTPS stores only (over HTTP WooCommerce "
                "accepts OAuth 1.0a, which is used there)",
                "query_string_auth",
            )

    @post_load
    def _normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["store_url"] = data["store_url"].rstrip("/")
        return data


def api_base_url(settings: Mapping[str, Any]) -> str:
    """``api_base_url`` if set, else ``{store_url}/wp-json/wc/v3``."""
    explicit = settings.get("api_base_url")
    if explicit:
        return str(explicit).rstrip("/")
    return f"{str(settings['store_url']).rstrip('/')}{API_PATH}"


def has_keys(settings: Mapping[str, Any]) -> bool:
    """Whether the connection can call the REST API yet."""
    return bool(settings.get("consumer_key") and settings.get("consumer_secret"))


def site_identity(url: str) -> tuple[str, int | None, str]:
    """Host, port and path of a site URL; the scheme and a trailing slash do not matter
    (``X-WC-Webhook-Source`` is ``home_url('/')``, and proxies change the scheme)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port in (80, 443):
        port = None
    return host, port, parts.path.rstrip("/")
