"""A PayPal connection's settings: REST app credentials, the webhook's id, the environment.

PayPal's REST APIs take OAuth 2.0 client credentials (``client_id`` and ``client_secret``
of a REST app, https://developer.paypal.com/api/rest/authentication/, checked 2026-12-04).
``webhook_id`` is the id PayPal gave the webhook subscribed to this connection's URL; every
delivery's signature covers it. ``environment`` picks the API host and the hosts webhook
certificates may come from.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from disputeflow import BaseSettingsSchema

SANDBOX = "sandbox"
LIVE = "live"

# https://developer.paypal.com/api/rest/requests/ (checked 2026-12-04): the REST API hosts.
API_HOSTS = {SANDBOX: "https://api-m.sandbox.paypal.com", LIVE: "https://api-m.paypal.com"}


def _required(description: str, **extra: Any) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=255),
        metadata={"description": description, **extra},
    )


class PaypalSettingsSchema(BaseSettingsSchema):
    """One PayPal business account, reached through one REST app."""

    client_id = _required("Client ID of the PayPal REST app (Apps & Credentials).")
    client_secret = _required("Secret of that REST app.", secret=True)
    webhook_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9]{1,50}$"),
        metadata={"description": "ID PayPal gave the webhook that posts to this connection."},
    )
    environment = fields.String(
        load_default=LIVE,
        validate=validate.OneOf([SANDBOX, LIVE]),
        metadata={"description": "sandbox or live: the API host and the certificate hosts."},
    )
    accept_sample_signatures = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Accept deliveries signed with this connection's own sample key "
            "(disputeflow demo); never needed in production."
        },
    )


EXAMPLE_SETTINGS: dict[str, Any] = {
    "client_id": "AYdemo-disputeflow-0123456789abcdefABCDEF0123456789abcdef01",
    "client_secret": "EKdemo-disputeflow-fedcba9876543210FEDCBA9876543210fedcba98",
    "webhook_id": "4JH86294D6297924G",
    "environment": SANDBOX,
    "accept_sample_signatures": True,
}


def api_base_url(settings: Any) -> str:
    """The REST API host: ``api_base_url`` when set (tests, proxies), else the environment's."""
    override = settings.get("api_base_url")
    if override:
        return str(override).rstrip("/")
    return API_HOSTS[str(settings.get("environment") or LIVE)]
