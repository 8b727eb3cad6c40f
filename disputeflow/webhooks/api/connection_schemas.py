"""The shapes of ``/api/v1/connections``: secret settings are write-only (only named)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from disputeflow.core.taxonomy import ConnectionState
from disputeflow.webhooks.api.schemas import choice, page_of, stamp, text


class ConnectionSchema(Schema):
    id = text()
    platform = text()
    name = text()
    settings = fields.Dict(metadata={"description": "Settings that are not secret."})
    secrets = fields.List(
        text(), metadata={"description": "Names of the secret settings (never their values)."}
    )
    secrets_set = fields.List(
        text(), metadata={"description": "The secret settings that have a value."}
    )
    webhook_url = text(metadata={"description": "Where the platform posts deliveries."})
    webhook_verified_at = stamp(nullable=True)
    created_at = stamp()
    policy = fields.Dict(metadata={"description": "Return policy; below_statutory_in flags it."})
    state = choice(ConnectionState, metadata={"description": "Only active ones sync and act."})
    state_reason = text(nullable=True)
    state_changed_at = stamp(nullable=True)
    install_url = text(
        nullable=True,
        metadata={"description": "Opens the install or consent that authorises the "
                  "connection: given when it is not authorised, needs_reauth or uninstalled."},
    )  # fmt: skip
    authorised = fields.Boolean(
        allow_none=True,
        metadata={"description": "API access granted (null: the platform has nothing to grant)."},
    )
    next_step = text(
        nullable=True, metadata={"description": "What the merchant does next, in full."}
    )
    last_delivery_at = stamp(nullable=True)
    rejected_deliveries = fields.Integer(
        metadata={"description": "Deliveries refused (a bad signature or secret)."}
    )
    last_rejected_at = stamp(nullable=True)
    last_sync_at = stamp(nullable=True)
    last_sync_error = text(nullable=True)
    demo = fields.Boolean(metadata={"description": "Made by `disputeflow demo` (sample data)."})


class ConnectionCreateSchema(Schema):
    platform = text(required=True)
    name = text(required=True, validate=validate.Length(min=1, max=200))
    settings = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "Validated by the marketplace; secret ones are write-only."},
    )


class ConnectionUpdateSchema(Schema):
    settings = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "Settings to change, merged into the current ones (JSON merge "
            "patch): a value sets, null removes. Validated by the marketplace as a whole; "
            "secret ones are write-only."
        },
    )


class ConnectionListArgsSchema(Schema):
    platform = text()


ConnectionListSchema = page_of(ConnectionSchema, "ConnectionList")
