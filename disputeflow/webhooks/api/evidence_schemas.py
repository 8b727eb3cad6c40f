"""Schemas of a case's evidence packet: what it holds, what an agent changes, and a
submission."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from disputeflow.features.evidence.edits import MAX_FILES, TEXT_LIMIT
from disputeflow.webhooks.api.schemas import ActionSchema

ITEM_NAME = {"description": "An item of the evidence catalogue (docs/evidence.md)."}


class PacketItemSchema(Schema):
    name = fields.String(metadata={"example": "tracking"})
    title = fields.String(metadata={"example": "Tracking number"})
    text = fields.String()
    source = fields.String(metadata={"description": "Where it came from, for the agent."})
    origin = fields.String(metadata={"description": "platform, disputeflow or agent"})
    field = fields.String(
        allow_none=True,
        metadata={
            "description": "The platform's evidence field it fills; '-' when the platform "
            "fills it itself; null: it goes into the free text."
        },
    )
    as_of = fields.String(allow_none=True, metadata={"description": "When it held (RFC 3339)."})
    file_id = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    excluded = fields.Boolean(metadata={"description": "Left out of the submission."})


class MissingItemSchema(Schema):
    name = fields.String()
    title = fields.String()
    required = fields.Boolean()
    why = fields.String(metadata={"description": "Why it matters for this category."})


class PacketSchema(Schema):
    """A case's packet as assembled now, with the agent's work on it."""

    case_id = fields.String()
    platform = fields.String()
    category = fields.String()
    complete = fields.Boolean(metadata={"description": "Every required item is present."})
    drafts_supported = fields.Boolean()
    items = fields.List(fields.Nested(PacketItemSchema))
    missing = fields.List(fields.Nested(MissingItemSchema))
    errors = fields.List(fields.String(), metadata={"description": "Plugins that failed."})
    statement = fields.String()
    state = fields.String(metadata={"description": "editing, draft or submitted"})
    updated_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)


class FileUploadSchema(Schema):
    item = fields.String(required=True, metadata=ITEM_NAME)
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    data = fields.String(required=True, metadata={"description": "The file, base64."})


class PacketChangeSchema(Schema):
    """What an agent changes; each part optional."""

    statement = fields.String(validate=validate.Length(max=TEXT_LIMIT))
    items = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        metadata={"description": "Text per item; null drops the agent's text for it."},
    )
    excluded = fields.List(
        fields.String(), metadata={"description": "Items left out (replaces the list)."}
    )
    files = fields.List(fields.Nested(FileUploadSchema), validate=validate.Length(max=MAX_FILES))
    remove_files = fields.List(fields.String(), metadata={"description": "File ids to remove."})


class SubmitSchema(Schema):
    draft = fields.Boolean(
        load_default=False,
        metadata={"description": "Save on the platform without submitting (where it can)."},
    )


class SubmittedSchema(Schema):
    action = fields.Nested(ActionSchema)
    packet = fields.Nested(PacketSchema)
