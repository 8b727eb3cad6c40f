"""A Shopify connection's settings, and the URLs and versions derived from them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from disputeflow import BaseSettingsSchema
from disputeflow.core.clock import parse_rfc3339
from disputeflow.core.errors import InvalidInputError

# The newest stable Admin API version this plugin is tested against (see shopify.md).
DEFAULT_API_VERSION = "2026-10"
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
API_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
CLIENT_CREDENTIALS = "client_credentials"
GRANTS = (CLIENT_CREDENTIALS,)


def _rfc3339(value: str) -> None:
    try:
        parse_rfc3339(value)
    except InvalidInputError:
        raise ValidationError("must be an RFC 3339 time, e.g. 2027-01-01T10:00:00Z") from None


def is_shop_domain(value: str | None) -> bool:
    """Whether ``value`` is a ``*.myshopify.com`` host name (the only form Shopify sends)."""
    return bool(value) and SHOP_DOMAIN.match(str(value).strip().lower()) is not None


class ShopifySettingsSchema(BaseSettingsSchema):
    """Settings of one shop: its domain, the app's secret, the Admin API token."""

    shop_domain = fields.String(
        required=True,
        validate=validate.Regexp(SHOP_DOMAIN, error="must be a *.myshopify.com domain"),
        metadata={"description": "The shop's permanent domain, e.g. acme.myshopify.com."},
    )
    client_secret = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "The app's client secret (webhook HMAC key)."},
    )
    previous_client_secret = fields.String(
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "The old secret, accepted during a rotation."},
    )
    access_token = fields.String(
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "Admin API access token (shpat_...)."},
    )
    client_id = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The app's client id: renews expiring and client-credentials "
                  "tokens (not needed for a custom app's token)."},
    )  # fmt: skip
    refresh_token = fields.String(
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "Renews an expiring offline token."},
    )
    access_token_expires_at = fields.String(
        validate=_rfc3339,
        metadata={"description": "When access_token expires (RFC 3339); absent: it does not."},
    )
    grant = fields.String(
        validate=validate.OneOf(GRANTS),
        metadata={"description": "client_credentials: fetch and renew the token with the "
                  "client id and secret (a Dev Dashboard app in your own organisation)."},
    )  # fmt: skip
    api_version = fields.String(
        load_default=DEFAULT_API_VERSION,
        validate=validate.Regexp(API_VERSION, error="must look like 2026-07 or be unstable"),
        metadata={"description": "Admin API version, e.g. 2026-07."},
    )
    return_window_days = fields.Integer(
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "The store's return window, when Shopify does not state it."},
    )
    buyer_pays_return_shipping = fields.Boolean(
        metadata={"description": "Whether buyers pay return shipping (store policy)."}
    )
    restocking_fee_percent = fields.Integer(validate=validate.Range(min=0, max=100))

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["shop_domain"] = data["shop_domain"].strip().lower()
        return data

    @validates_schema
    def _grant_needs_client_id(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("grant") == CLIENT_CREDENTIALS and not data.get("client_id"):
            raise ValidationError("client_credentials needs client_id", "client_id")

    def load(self, data: Any, **kwargs: Any) -> Any:
        """Lower-case the domain before the pattern check (``Acme.myshopify.com`` is fine)."""
        if isinstance(data, Mapping) and isinstance(data.get("shop_domain"), str):
            data = {**data, "shop_domain": data["shop_domain"].strip().lower()}
        return super().load(data, **kwargs)


def api_root(settings: Mapping[str, Any]) -> str:
    """``https://{shop}`` unless ``api_base_url`` overrides it (tests, proxies)."""
    base = settings.get("api_base_url") or f"https://{settings['shop_domain']}"
    return str(base).rstrip("/")


def admin_path(settings: Mapping[str, Any], path: str) -> str:
    """``/admin/api/{version}/{path}`` for the connection's API version."""
    version = settings.get("api_version") or DEFAULT_API_VERSION
    return f"/admin/api/{version}/{path.lstrip('/')}"


def secrets_of(settings: Mapping[str, Any]) -> list[str]:
    """The webhook HMAC keys to try: the current secret, then the previous one."""
    keys = [settings.get("client_secret"), settings.get("previous_client_secret")]
    return [key for key in keys if isinstance(key, str) and key]
