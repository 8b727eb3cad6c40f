"""An eBay connection's settings, and the hosts its calls go to.

eBay splits its APIs over hosts: Post-Order, OAuth and the Notification API live on
``api.ebay.com``, payment disputes on ``apiz.ebay.com``, user consent on ``auth.ebay.com``
(each with a ``sandbox`` twin). ``api_base_url`` replaces every API host at once, so a
local fake (or ``responses`` in tests) serves them all under one root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, validate

from disputeflow import BaseSettingsSchema

PRODUCTION = "production"
SANDBOX = "sandbox"

_HOSTS = {
    PRODUCTION: ("https://api.ebay.com", "https://apiz.ebay.com", "https://auth.ebay.com",
                 "https://graphqlapi.ebay.com"),
    SANDBOX: ("https://api.sandbox.ebay.com", "https://apiz.sandbox.ebay.com",
              "https://auth.sandbox.ebay.com", "https://graphqlapi.sandbox.ebay.com"),
}  # fmt: skip


@dataclass(frozen=True)
class Hosts:
    """Where each eBay API of one connection lives."""

    api: str  # Post-Order, OAuth token endpoint, Notification API, Fulfillment orders
    apiz: str  # Fulfillment payment disputes, Key Management
    auth: str  # the browser's consent page
    graphql: str  # the Order Inquiry API (GraphQL)

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Hosts:
        api, apiz, auth, graphql = _HOSTS[settings.get("environment") or PRODUCTION]
        override = settings.get("api_base_url")
        if override:
            base = str(override).rstrip("/")
            return cls(api=base, apiz=base, auth=auth, graphql=base)
        return cls(api=api, apiz=apiz, auth=auth, graphql=graphql)

    @property
    def token_url(self) -> str:
        return f"{self.api}/identity/v1/oauth2/token"


# eBay's marketplace ids, as MarketplaceIdEnum lists them for the Sell APIs this plugin calls
# (https://developer.ebay.com/api-docs/sell/fulfillment/types/ba:MarketplaceIdEnum and
# https://developer.ebay.com/api-docs/buy/marketing/v1/types/bas:MarketplaceIdEnum, checked
# 2026-12-04; docs/platforms/ebay.md). Left out: EBAY_IN ("no longer a functioning eBay
# marketplace") and EBAY_HALF_US ("no longer used").
MARKETPLACE_IDS = (
    "EBAY_AT", "EBAY_AU", "EBAY_BE", "EBAY_CA", "EBAY_CH", "EBAY_CN", "EBAY_CZ", "EBAY_DE",
    "EBAY_DK", "EBAY_ES", "EBAY_FI", "EBAY_FR", "EBAY_GB", "EBAY_GR", "EBAY_HK", "EBAY_HU",
    "EBAY_ID", "EBAY_IE", "EBAY_IL", "EBAY_IT", "EBAY_JP", "EBAY_MY", "EBAY_NL", "EBAY_NO",
    "EBAY_NZ", "EBAY_PE", "EBAY_PH", "EBAY_PL", "EBAY_PR", "EBAY_PT", "EBAY_RU", "EBAY_SE",
    "EBAY_SG", "EBAY_TH", "EBAY_TW", "EBAY_US", "EBAY_VN", "EBAY_ZA", "EBAY_MOTORS_US",
)  # fmt: skip


def _marketplace_id(value: str) -> None:
    if value not in MARKETPLACE_IDS:
        shown = ", ".join(MARKETPLACE_IDS[:-1])
        raise ValidationError(
            f"must be one of eBay's marketplace ids ({shown} or {MARKETPLACE_IDS[-1]}), "
            f"got {value!r}"
        )


def _secret(description: str, **options: Any) -> fields.String:
    return fields.String(metadata={"secret": True, "description": description}, **options)


class EbaySettingsSchema(BaseSettingsSchema):
    """Settings of an eBay seller account connection."""

    marketplace_id = fields.String(
        required=True,
        validate=_marketplace_id,
        metadata={"description": "The eBay site, sent as X-EBAY-C-MARKETPLACE-ID (EBAY_US)."},
    )
    environment = fields.String(
        load_default=PRODUCTION,
        validate=validate.OneOf([PRODUCTION, SANDBOX]),
        metadata={"description": "production or sandbox."},
    )
    client_id = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The application's App ID (OAuth client id)."},
    )
    client_secret = _secret(
        "The application's Cert ID (OAuth client secret).",
        required=True,
        validate=validate.Length(min=1),
    )
    refresh_token = _secret("The seller's OAuth refresh token (set by the install flow).")
    ru_name = fields.String(
        metadata={"description": "The RuName eBay redirects consent to (install flow)."}
    )
    verification_token = _secret(
        "Token for the account-deletion endpoint check (32-80 of A-Z a-z 0-9 _ -).",
        validate=validate.Regexp(
            r"^[A-Za-z0-9_-]{32,80}$",
            error="must be 32 to 80 characters, each a letter, a digit, _ or - (eBay's rule)",
        ),
    )
    endpoint_url = fields.Url(
        require_tld=False,
        metadata={"description": "The deletion endpoint exactly as registered with eBay "
                                 "(default: this connection's webhook URL)."},
    )  # fmt: skip
    dev_id = fields.String(
        metadata={"description": "Dev ID, to check platform notification signatures."}
    )
    cert_id = _secret("Cert ID for platform notification signatures (default: client_secret).")
    sync_lookback_days = fields.Integer(
        load_default=90,
        validate=validate.Range(min=1, max=90),
        metadata={"description": "How far back polling looks for objects by creation date."},
    )
    eu_uk_seller = fields.Boolean(
        metadata={"description": "The seller is EU- or UK-domiciled: refunds and return "
                                 "decisions are signed (default: from marketplace_id)."},
    )  # fmt: skip
    signing_key_jwe = fields.String(
        metadata={"description": "The JWE of the app's eBay signing key (Key Management API)."}
    )
    signing_private_key = _secret("The Ed25519 private key of that signing key.")
    signing_key_id = fields.String(metadata={"description": "eBay's id of that signing key."})
    accept_sample_signatures = fields.Boolean(
        load_default=False,
        metadata={"description": "Accept deliveries signed with this connection's own sample "
                                 "key (disputeflow demo); never needed in production."},
    )  # fmt: skip


EXAMPLE_SETTINGS: dict[str, Any] = {
    "marketplace_id": "EBAY_DE",
    "environment": SANDBOX,
    "client_id": "DemoSell-disputef-SBX-0a1b2c3d4-5e6f7a8b",
    "client_secret": "SBX-0a1b2c3d4e5f-6a7b-8c9d-0e1f-2a3b",
    "refresh_token": "v^1.1#i^1#demo-refresh-token",
    "verification_token": "disputeflow_demo_verification_token_0123456789",
    "dev_id": "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    "accept_sample_signatures": True,
}
