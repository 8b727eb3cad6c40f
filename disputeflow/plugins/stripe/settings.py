"""The settings of a Stripe connection: a restricted API key, the endpoint's signing
secrets (several while one is rolled), and where orders are named in a payment's metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate

from disputeflow import BaseSettingsSchema

# WooCommerce Stripe Gateway writes the order number under ``order_id`` in the metadata of
# the PaymentIntent (``get_metadata_from_order``) and of legacy charges
# (``generate_payment_request``); Stripe copies a PaymentIntent's metadata to its charge.
DEFAULT_ORDER_KEYS: tuple[str, ...] = ("order_id",)


class SecretList(fields.String):
    """The endpoint's signing secrets, comma-separated (``whsec_old,whsec_new`` while Stripe
    rolls a secret: it signs with both until the old one expires)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        secrets = [part.strip() for part in text.split(",") if part.strip()]
        if not secrets:
            raise ValidationError("at least one signing secret (whsec_...)")
        bad = [s for s in secrets if not s.startswith("whsec_") or len(s) < 10]
        if bad:
            raise ValidationError("each signing secret is the endpoint's whsec_... secret")
        return ",".join(secrets)


class KeyList(fields.Field[list[str]]):
    """Metadata keys as a list, or as one comma-separated string (``--set a,b``)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ValidationError("a list of metadata keys, or a comma-separated string")
        keys = [item.strip() for item in items if item.strip()]
        if not keys or any(len(key) > 40 for key in keys):  # Stripe: keys up to 40 characters
            raise ValidationError("one to several metadata keys of up to 40 characters")
        return keys


class StripeSettingsSchema(BaseSettingsSchema):
    """One Stripe account; ``api_base_url`` (a proxy, stripe-mock, tests) comes with the base."""

    api_key = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^(rk|sk)_\w{6,}$",
            error="a restricted key (rk_live_... or rk_test_...), or a secret key (sk_...)",
        ),
        metadata={
            "secret": True,
            "description": "A restricted API key (rk_...) with the permissions listed in "
            "docs/platforms/stripe.md.",
        },
    )
    webhook_secret = SecretList(
        required=True,
        metadata={
            "secret": True,
            "description": "The webhook endpoint's signing secret (whsec_...); during a "
            "rotation, both secrets separated by a comma.",
        },
    )
    order_metadata_keys = KeyList(
        load_default=list(DEFAULT_ORDER_KEYS),
        metadata={
            "description": "Keys of the payment's metadata that hold the order number, first "
            "found wins (default: order_id, as WooCommerce Stripe Gateway writes it)."
        },
    )


def signing_secrets(settings: Mapping[str, Any]) -> list[str]:
    """Every signing secret of the connection, in the order given."""
    return [part for part in str(settings["webhook_secret"]).split(",") if part]
