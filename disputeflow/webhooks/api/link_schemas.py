"""Schemas of one order's cases across channels: the order's identifiers, a case's links,
and what an agent sends to link or unlink two cases."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from disputeflow.engine.case_links import MAX_REASON

ORDER_ARG = {
    "description": "An order's id or one of its identifiers (an order number, a payment's "
    "transaction id; a leading # is ignored): its cases on every channel, and the cases "
    "linked to them."
}


class ReferenceSchema(Schema):
    """An identifier of the order that other channels carry too."""

    kind = fields.String(metadata={"example": "order_number"})
    value = fields.String(metadata={"example": "1001"})


class CaseLinkSchema(Schema):
    """Another case of the same order."""

    case_id = fields.String()
    reason = fields.String(
        metadata={"description": "The identifier that matched, or who linked them and why."}
    )
    at = fields.String(metadata={"format": "date-time"})
    by = fields.String(
        allow_none=True, metadata={"description": "The agent; null: an identifier matched."}
    )


class LinkChangeSchema(Schema):
    """Link (or unlink) this case and another; the reason goes on both timelines."""

    case_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))


LinkListSchema = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(CaseLinkSchema)),
        "next_cursor": fields.String(allow_none=True),
    },
    name="CaseLinkList",
)
