"""The JSON API's marshmallow schemas: what each route reads and what it answers (responses
mirror the core's JSON forms, ``Case.to_dict``...; requests are validated first)."""

from __future__ import annotations

from datetime import UTC
from enum import StrEnum
from typing import Any

from babel.numbers import is_currency
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from disputeflow.core.errors import DisputeflowError
from disputeflow.core.money import Money
from disputeflow.core.taxonomy import (
    ActionType,
    Actor,
    CaseKind,
    CaseStatus,
    Category,
    DeadlineKind,
    Outcome,
    Role,
    Stage,
    TimelineKind,
)
from disputeflow.engine.store import deliveries
from disputeflow.engine.store.cases import SORTS
from disputeflow.webhooks.api.link_schemas import ORDER_ARG, CaseLinkSchema, ReferenceSchema
from disputeflow.webhooks.api.transparency_schemas import ExpectedResolutionSchema

MAX_LIMIT = 200
# Stored beside the action's own fields; a client's params must not shadow them.
RESERVED_PARAMS = ("amount", "message", "evidence", "rationale", "evidence_ids")
DEFAULT_LIMIT = 50


def one_of(values: type[StrEnum] | tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf([str(v) for v in values])


def text(*, nullable: bool = False, **kwargs: Any) -> fields.String:
    return fields.String(allow_none=nullable, **kwargs)


def stamp(*, nullable: bool = False) -> fields.String:
    """An RFC 3339 time in UTC (``...Z``), as the core writes it."""
    return fields.String(allow_none=nullable, metadata={"format": "date-time"})


def choice(
    values: type[StrEnum] | tuple[str, ...], *, nullable: bool = False, **kwargs: Any
) -> fields.String:
    return fields.String(allow_none=nullable, validate=one_of(values), **kwargs)


_not_reserved = validate.NoneOf(RESERVED_PARAMS, error="Reserved: use {input}.")


def _check_currency(code: str) -> None:
    if not is_currency(code.upper()):
        raise ValidationError("Unknown currency code (expected ISO 4217).")


class MoneySchema(Schema):
    """An exact amount: a decimal string in the currency's own minor units, never a float."""

    value = fields.String(required=True, metadata={"example": "11.50"})
    currency = fields.String(required=True, validate=[validate.Length(equal=3), _check_currency])

    @post_load
    def to_money(self, data: dict[str, Any], **_kwargs: Any) -> Money:
        try:
            return Money(data["value"], data["currency"])
        except DisputeflowError as error:
            raise ValidationError(error.message, field_name="value") from None


# -- cases -----------------------------------------------------------------------------


class PartySchema(Schema):
    name = text(nullable=True)
    email = text(nullable=True)
    country = text(nullable=True, metadata={"description": "ISO 3166-1 alpha-2"})
    locale = text(nullable=True)
    external_id = text(nullable=True)


class OrderSchema(Schema):
    external_id = text(nullable=True)
    name = text(nullable=True)
    total = fields.Nested(MoneySchema, allow_none=True)
    placed_at = stamp(nullable=True)
    references = fields.List(fields.Nested(ReferenceSchema), dump_default=list)


class DeadlineSchema(Schema):
    kind = choice(DeadlineKind)
    due_at = stamp()
    source = text()
    party = choice(Actor)


class EvidenceSchema(Schema):
    external_id = text()
    party = choice(Actor)
    kind = text()
    submitted_at = stamp()
    description = text()
    url = text(nullable=True)
    filename = text(nullable=True)
    content_type = text(nullable=True)


class MessageSchema(Schema):
    external_id = text()
    party = choice(Actor)
    body = text()
    sent_at = stamp()


class TimelineEntrySchema(Schema):
    at = stamp()
    actor = choice(Actor)
    kind = choice(TimelineKind)
    summary = text()
    data = fields.Dict()
    derived = fields.Boolean()


class CaseSummarySchema(Schema):
    """A case as lists show it: everything but its timeline, evidence and messages."""

    id = text()
    connection_id = text()
    platform = text()
    object_type = text()
    external_id = text()
    kind = choice(CaseKind)
    stage = choice(Stage, nullable=True)
    category = choice(Category)
    platform_reason = text(nullable=True)
    network_reason_code = text(nullable=True)
    platform_status = text(nullable=True)
    status = choice(CaseStatus)
    outcome = choice(Outcome, nullable=True)
    must_act = choice(Actor, nullable=True)
    amount = fields.Nested(MoneySchema, allow_none=True)
    refunded = fields.Nested(MoneySchema, allow_none=True)
    order = fields.Nested(OrderSchema, allow_none=True)
    buyer = fields.Nested(PartySchema, allow_none=True)
    due_at = stamp(nullable=True)
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    opened_at = stamp()
    updated_at = stamp()
    allowed_actions = fields.List(choice(ActionType))
    queue = text(nullable=True)
    extra = fields.Dict()
    links = fields.List(fields.Nested(CaseLinkSchema), dump_default=list)


class CaseSchema(CaseSummarySchema):
    """A whole case: with its evidence, messages, timeline and expected resolution."""

    expected_resolution = fields.Nested(ExpectedResolutionSchema, allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceSchema))
    messages = fields.List(fields.Nested(MessageSchema))
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class PageArgsSchema(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(
        validate=validate.Length(min=1),
        metadata={"description": "The next_cursor of the previous page."},
    )


class CaseListArgsSchema(PageArgsSchema):
    platform = text()
    connection_id = text()
    kind = choice(CaseKind)
    status = choice(CaseStatus)
    category = choice(Category)
    queue = text(validate=validate.Length(min=1, max=100))
    due_before = fields.AwareDateTime(
        format="iso",
        default_timezone=UTC,
        metadata={"description": "Only cases whose due_at is earlier (RFC 3339)."},
    )
    q = text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Search platform id, order, buyer and reason."},
    )
    order = text(validate=validate.Length(min=1, max=200), metadata=ORDER_ARG)
    sort = fields.String(
        load_default="newest",
        validate=one_of(SORTS),
        metadata={"description": "newest: last changed first; urgent: nearest due_at first."},
    )


# -- actions ---------------------------------------------------------------------------


class ActionSchema(Schema):
    id = text()
    case_id = text()
    type = choice(ActionType)
    status = choice(("pending", "running", "succeeded", "failed"))
    idempotency_key = text()
    params = fields.Dict()
    attempts = fields.Integer()
    last_error = text(nullable=True)
    external_id = text(nullable=True)
    result = fields.Dict(allow_none=True)
    requested_by = text(nullable=True)
    next_attempt_at = stamp(nullable=True)
    created_at = stamp()
    updated_at = stamp()


class EvidenceCreateSchema(Schema):
    """A piece of evidence the merchant submits with ``contest``."""

    kind = text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "e.g. shipping_documentation, customer_communication"},
    )
    description = text(validate=validate.Length(max=20_000))
    url = fields.Url(metadata={"description": "Where the platform can fetch a file."})
    filename = text(validate=validate.Length(max=255))
    content_type = text(validate=validate.Length(max=100))


class ActionCreateSchema(Schema):
    type = choice(ActionType, required=True)
    evidence = fields.List(fields.Nested(EvidenceCreateSchema), validate=validate.Length(max=50))
    amount = fields.Nested(MoneySchema, metadata={"description": "Required for a refund."})
    message = text(validate=validate.Length(max=10_000))
    rationale = text(validate=validate.Length(max=10_000), metadata={"description": "Why."})
    evidence_ids = fields.List(text(), metadata={"description": "Evidence it rests on."})
    params = fields.Dict(
        keys=fields.String(validate=_not_reserved),
        metadata={"description": "Marketplace-specific extras (not amount or message)."},
    )
    idempotency_key = text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Same as the Idempotency-Key header (either, or both equal)."},
    )


class IdempotencyHeaderSchema(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Repeat a request safely: the same key answers the same action."},
    )


# -- deliveries ------------------------------------------------------------------------


class DeliverySummarySchema(Schema):
    id = text()
    connection_id = text()
    platform = text()
    topic = text()
    dedup_key = text()
    status = choice(deliveries.STATUSES)
    attempts = fields.Integer()
    last_error = text(nullable=True)
    received_at = stamp()
    next_attempt_at = stamp(nullable=True)
    processed_at = stamp(nullable=True)


class DeliverySchema(DeliverySummarySchema):
    headers = fields.Dict()
    body = text(metadata={"description": "The raw body as text."})


class DeliveryListArgsSchema(PageArgsSchema):
    status = choice(deliveries.STATUSES)
    connection_id = text()


class ReplaySchema(Schema):
    """Exactly one of ``ids`` or ``failed``."""

    ids = fields.List(text(), validate=validate.Length(min=1, max=MAX_LIMIT))
    failed = fields.Boolean(metadata={"description": "Every failed and dead delivery."})

    @validates_schema
    def exactly_one(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if bool(data.get("ids")) == bool(data.get("failed")):
            raise ValidationError("Give either ids or failed: true (not both).", "_schema")


ReplayResultSchema = Schema.from_dict({"queued": fields.Integer()}, name="ReplayResult")


# -- tokens ----------------------------------------------------------------------------


class TokenSchema(Schema):
    id = text()
    name = text()
    role = choice(Role)
    prefix = text(metadata={"description": "The first characters, to recognise a token."})
    created_at = stamp()
    last_used_at = stamp(nullable=True)
    revoked_at = stamp(nullable=True)


class IssuedTokenSchema(TokenSchema):
    token = text(metadata={"description": "The secret: shown in this answer only."})


class TokenCreateSchema(Schema):
    name = text(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(load_default=str(Role.AGENT), validate=one_of(Role))


# -- lists and errors ------------------------------------------------------------------


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """``{"items": [item], "next_cursor": str | null}``: the shape of every list."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "next_cursor": text(nullable=True, metadata={"description": "null on the last page"}),
        },
        name=name,
    )


CaseListSchema = page_of(CaseSummarySchema, "CaseList")
TimelineSchema = page_of(TimelineEntrySchema, "Timeline")
ActionListSchema = page_of(ActionSchema, "ActionList")
DeliveryListSchema = page_of(DeliverySummarySchema, "DeliveryList")
TokenListSchema = page_of(TokenSchema, "TokenList")


class ErrorSchema(Schema):
    """Every error: ``errors`` maps each bad field to its messages."""

    code = text(metadata={"example": "invalid_input"})
    status = fields.Integer(metadata={"example": 422})
    message = text()
    errors = fields.Dict()
