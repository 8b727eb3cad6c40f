"""Schemas of ``/api/v1/rights``: a buyer's statutory rights, the store's policy and the
effective return window. They mirror ``StatutoryRights.to_dict``, ``StorePolicy.to_dict``
and ``PolicyEvaluation.to_dict`` of :mod:`disputeflow.features.handling.rights`."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from disputeflow.features.handling.rights import RIGHTS
from disputeflow.webhooks.api.schemas import stamp, text


class RightsArgsSchema(Schema):
    country = text(
        required=True,
        validate=validate.Length(equal=2),
        metadata={"description": "The buyer's country, ISO 3166-1 alpha-2 (e.g. DE)."},
    )
    connection_id = text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Compare with this connection's return policy (id or name)."},
    )


class RightsExceptionSchema(Schema):
    id = text()
    text = text()


class StatutoryRightsSchema(Schema):
    country = text()
    name = text()
    region = text()
    law = text()
    national_law = text(nullable=True)
    right = text(
        validate=validate.OneOf(RIGHTS),
        metadata={
            "description": "withdrawal: a period; none: the law gives no general right to "
            "withdraw from a distance sale (sourced); unknown: not confirmed"
        },
    )
    withdrawal_days = fields.Integer(
        allow_none=True, metadata={"description": "null unless right is withdrawal"}
    )
    withdrawal_business_days = fields.Boolean(
        metadata={"description": "The period counts business days, not calendar days."}
    )
    only_without_store_policy = fields.Boolean()
    clock = text(nullable=True)
    refund_days = fields.Integer(allow_none=True)
    refund_business_days = fields.Boolean()
    refund_clock = text(nullable=True, metadata={"description": "withdrawal or goods_returned"})
    refund_note = text(nullable=True)
    return_shipping = text()
    exceptions = fields.List(fields.Nested(RightsExceptionSchema))
    notes = text(nullable=True)
    sources = fields.List(text(), metadata={"description": "The legal sources, primary first."})
    verified = fields.Boolean(
        metadata={"description": "false: general knowledge not confirmed by the research"}
    )


class StorePolicySchema(Schema):
    window_days = fields.Integer(allow_none=True)
    source = text(nullable=True)
    checked_at = stamp(nullable=True)
    error = text(nullable=True)
    connection_id = text()


class PolicyEvaluationSchema(Schema):
    jurisdiction = text(nullable=True)
    store_window_days = fields.Integer(allow_none=True)
    statutory_window_days = fields.Integer(
        allow_none=True, metadata={"description": "Calendar days (business days counted out)."}
    )
    effective_window_days = fields.Integer(allow_none=True)
    below_statutory = fields.Boolean(
        metadata={"description": "The store's policy is shorter than the law's minimum."}
    )
    within_window = fields.Boolean(allow_none=True)
    within_statutory_window = fields.Boolean(allow_none=True)
    days_elapsed = fields.Integer(allow_none=True)
    clock_basis = text(nullable=True)
    store_policy_source = text(nullable=True)
    law = text(nullable=True)
    sources = fields.List(text())
    statutory_right = text(
        nullable=True, metadata={"description": "withdrawal, none or unknown; null: no data"}
    )
    statutory_business_days = fields.Integer(
        allow_none=True,
        metadata={"description": "The law's period in business days, where it counts them."},
    )


class RightsSchema(Schema):
    country = text()
    statutory = fields.Nested(StatutoryRightsSchema)
    store_policy = fields.Nested(StorePolicySchema, allow_none=True)
    effective = fields.Nested(PolicyEvaluationSchema)
