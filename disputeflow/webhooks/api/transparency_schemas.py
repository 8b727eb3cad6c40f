"""Schemas of the transparency routes: buyer links and the expected resolution of a case."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from disputeflow.features.transparency.links import DEFAULT_DAYS, MAX_DAYS


def _stamp(description: str | None = None) -> fields.String:
    metadata = {"format": "date-time"} | ({"description": description} if description else {})
    return fields.String(metadata=metadata)


class ExpectedResolutionSchema(Schema):
    """When an open case is expected to be resolved, and what the estimate rests on."""

    expected_at = _stamp()
    latest_at = _stamp("At the latest: from the 90th percentile.")
    median_days = fields.Float()
    p90_days = fields.Float()
    sample_size = fields.Integer(metadata={"description": "Closed cases measured (0: default)"})
    basis = fields.String(metadata={"example": "history:platform,kind,category"})
    capped_by = fields.String(allow_none=True, metadata={"description": "A deadline bounding it"})


class BuyerLinkArgsSchema(Schema):
    days = fields.Integer(
        load_default=DEFAULT_DAYS,
        validate=validate.Range(min=1, max=MAX_DAYS),
        metadata={"description": "How long the link works."},
    )


class BuyerLinkSchema(Schema):
    case_id = fields.String()
    url = fields.String(metadata={"description": "The buyer's page: send it to the buyer only."})
    expires_at = _stamp()
