"""FakeMarketplace: a small, complete marketplace adapter for the test suites.

It speaks an invented platform API that is simple on purpose:

* webhooks: a JSON body, ``X-Fake-Signature`` = hex HMAC-SHA256 of the raw body with the
  ``signing_secret`` setting, ``X-Fake-Shop`` (must equal the ``shop`` setting),
  ``X-Fake-Delivery-Id`` (the dedup key) and ``X-Fake-Topic``;
* objects: ``{"id": "123", "type": "dispute"|"return", "status", "reason", "amount": "12.50",
  "currency": "EUR", "opened_at", "updated_at", "due_by"?, "buyer_country"?, "buyer_email"?,
  "buyer_name"?, "order_id"?, "order_total"?, "order_references"? ([[kind, value]]),
  "revision"?}``;
* polling: ``GET {api_base_url}/cases?since=<cursor>`` (empty for a full sync) answers
  ``{"items": [objects], "next_cursor": str | null, "has_more": bool}``;
* actions: ``POST {api_base_url}/{type}s/{id}/actions`` with an ``Idempotency-Key`` header
  answers ``{"id": str, "case": object?}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from marshmallow import fields, validate

from disputeflow import (
    ActionRequest,
    ActionResult,
    BaseSettingsSchema,
    Capabilities,
    Case,
    CaseKind,
    CaseSnapshot,
    CaseStatus,
    Category,
    Connection,
    Deadline,
    DeadlineKind,
    InboundRequest,
    Marketplace,
    MarketplaceError,
    Money,
    Order,
    Outcome,
    Party,
    SampleDelivery,
    SignatureError,
    SnapshotError,
    StoredDelivery,
    SyncPage,
    VerifiedDelivery,
    redate,
    shift_for,
)
from disputeflow.core.clock import parse_rfc3339

DEFAULT_API_BASE_URL = "https://api.fake-marketplace.invalid"
TIMEOUT_SECONDS = 10

KINDS = {"dispute": CaseKind.CHARGEBACK, "return": CaseKind.RETURN}

DISPUTE_STATUSES: dict[str, tuple[CaseStatus, Outcome | None]] = {
    "needs_response": (CaseStatus.NEEDS_RESPONSE, None),
    "under_review": (CaseStatus.UNDER_REVIEW, None),
    "won": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "lost": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    "accepted": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
}
RETURN_STATUSES: dict[str, tuple[CaseStatus, Outcome | None]] = {
    "requested": (CaseStatus.NEEDS_RESPONSE, None),
    "open": (CaseStatus.AWAITING_BUYER, None),
    "declined": (CaseStatus.RESOLVED, Outcome.MERCHANT_FAVOR),
    "refunded": (CaseStatus.RESOLVED, Outcome.BUYER_FAVOR),
    "canceled": (CaseStatus.RESOLVED, Outcome.WITHDRAWN),
}
REASONS = {
    "fraudulent": Category.FRAUD,
    "not_received": Category.NOT_RECEIVED,
    "not_as_described": Category.NOT_AS_DESCRIBED,
    "damaged": Category.DAMAGED,
    "duplicate": Category.DUPLICATE_CHARGE,
    "changed_mind": Category.CHANGED_MIND,
    "general": Category.OTHER,
}


def sign(body: bytes, secret: str) -> str:
    """The ``X-Fake-Signature`` of ``body``: hex HMAC-SHA256 with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    """The body the fake platform sends for ``payload`` (compact, sorted keys)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def make_request(
    payload: dict[str, Any], *, secret: str, shop: str, delivery_id: str, topic: str
) -> InboundRequest:
    """A webhook delivery of ``payload`` signed as the fake platform signs it."""
    body = encode(payload)
    return InboundRequest(
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Fake-Signature": sign(body, secret),
            "X-Fake-Shop": shop,
            "X-Fake-Delivery-Id": delivery_id,
            "X-Fake-Topic": topic,
        },
        body=body,
    )


class FakeSettingsSchema(BaseSettingsSchema):
    """Settings of a fake connection."""

    signing_secret = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"secret": True, "description": "Webhook signing secret."},
    )
    shop = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The shop's handle on the fake platform."},
    )


class FakeMarketplace(Marketplace):
    """The invented "fake" platform: disputes and returns, webhooks and polling."""

    name = "fake"
    title = "Fake marketplace"
    capabilities = Capabilities.build(
        {
            "chargeback": ["accept", "contest"],
            "return": ["approve_return", "decline_return", "refund"],
        },
        webhooks=True,
        polling=True,
    )
    settings_schema = FakeSettingsSchema

    def example_settings(self) -> dict[str, Any]:
        return {"signing_secret": "fake-signing-secret", "shop": "demo-shop"}

    # -- inbound ------------------------------------------------------------------------

    def verify_delivery(self, connection: Connection, request: InboundRequest) -> VerifiedDelivery:
        signature = request.header("X-Fake-Signature")
        if not signature:
            raise SignatureError("missing X-Fake-Signature header")
        expected = sign(request.body, connection.settings["signing_secret"])
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise SignatureError("X-Fake-Signature does not match the body")
        if request.header("X-Fake-Shop") != connection.settings["shop"]:
            raise SignatureError("X-Fake-Shop is not this connection's shop")
        delivery_id = request.header("X-Fake-Delivery-Id")
        topic = request.header("X-Fake-Topic")
        if not delivery_id or not topic:
            raise SignatureError("missing X-Fake-Delivery-Id or X-Fake-Topic header")
        return VerifiedDelivery(
            dedup_key=delivery_id,
            topic=topic,
            headers={"X-Fake-Delivery-Id": delivery_id, "X-Fake-Topic": topic},
        )

    def translate_delivery(
        self, connection: Connection, delivery: StoredDelivery
    ) -> list[CaseSnapshot]:
        try:
            payload = json.loads(delivery.body)
        except ValueError as error:
            raise SnapshotError(f"fake delivery {delivery.id} is not JSON: {error}") from None
        return [self.snapshot(payload)]

    def snapshot(self, payload: dict[str, Any]) -> CaseSnapshot:
        """One fake platform object as a CaseSnapshot; unknown status/reason values are kept."""
        try:
            kind = KINDS[payload["type"]]
            statuses = DISPUTE_STATUSES if kind is CaseKind.CHARGEBACK else RETURN_STATUSES
            raw_status, raw_reason = payload.get("status"), payload.get("reason")
            status, outcome = statuses.get(raw_status or "", (None, None))
            due_by = payload.get("due_by")
            buyer = {
                "country": payload.get("buyer_country"),
                "email": payload.get("buyer_email"),
                "name": payload.get("buyer_name"),
            }
            order_id, total = payload.get("order_id"), payload.get("order_total")
            order = Order(
                external_id=str(order_id),
                total=Money(str(total), payload["currency"]) if total else None,
                references=tuple(tuple(pair) for pair in payload.get("order_references") or ()),
            )
            return CaseSnapshot(
                platform=self.name,
                object_type=payload["type"],
                external_id=str(payload["id"]),
                kind=kind,
                observed_at=parse_rfc3339(payload["updated_at"]),
                revision=payload.get("revision"),
                status=status,
                outcome=outcome,
                category=REASONS.get(raw_reason, Category.OTHER) if raw_reason else None,
                platform_reason=raw_reason,
                platform_status=raw_status,
                amount=Money(str(payload["amount"]), payload["currency"]),
                refunded=(
                    Money(str(payload["refunded"]), payload["currency"])
                    if payload.get("refunded")
                    else None
                ),
                buyer=Party(**buyer) if any(buyer.values()) else None,
                order=order if order_id else None,
                opened_at=parse_rfc3339(payload["opened_at"]),
                deadlines=(
                    (Deadline(DeadlineKind.PLATFORM_RESPONSE, parse_rfc3339(due_by), self.name),)
                    if due_by
                    else ()
                ),
                update_only=bool(payload.get("update_only")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(f"malformed fake object: {type(error).__name__}: {error}") from None

    def sample_deliveries(self, connection: Connection) -> list[SampleDelivery]:
        secret, shop = connection.settings["signing_secret"], connection.settings["shop"]
        dispute = {
            "id": "1001",
            "type": "dispute",
            "status": "needs_response",
            "reason": "not_received",
            "amount": "12.50",
            "currency": "EUR",
            "opened_at": "2026-03-01T10:00:00Z",
            "updated_at": "2026-03-01T10:00:00Z",
            "due_by": "2026-03-15T23:59:59Z",
            "buyer_country": "DE",
        }
        won = {**dispute, "status": "won", "updated_at": "2026-03-20T08:30:00Z"}
        del won["due_by"]
        a_return = {
            "id": "2001",
            "type": "return",
            "status": "requested",
            "reason": "changed_mind",
            "amount": "40.00",
            "currency": "EUR",
            "opened_at": "2026-03-02T09:00:00Z",
            "updated_at": "2026-03-02T09:00:00Z",
            "buyer_country": "FR",
        }
        # A closing message that could not open a case on its own: update-only.
        refunded = {
            **a_return, "status": "refunded", "updated_at": "2026-03-06T12:00:00Z",
            "update_only": True,
        }  # fmt: skip
        # each object's dates move so that its last delivery is now in the demo
        dispute_shift = shift_for(won["updated_at"])
        return_shift = shift_for(refunded["updated_at"])
        deliveries = [
            ("dispute_opened", redate(dispute, dispute_shift), "dlv-1001-1", "disputes/create"),
            ("dispute_won", redate(won, dispute_shift), "dlv-1001-2", "disputes/update"),
            ("return_requested", redate(a_return, return_shift), "dlv-2001-1", "returns/request"),
            ("return_refunded", redate(refunded, return_shift), "dlv-2001-2", "returns/update"),
        ]
        return [
            SampleDelivery(
                name,
                make_request(payload, secret=secret, shop=shop, delivery_id=dlv, topic=topic),
            )
            for name, payload, dlv, topic in deliveries
        ]

    # -- outbound -------------------------------------------------------------------------

    def list_changes(self, connection: Connection, cursor: str | None) -> Iterator[SyncPage]:
        since = cursor
        while True:
            page = self._call(connection, "GET", "/cases", params={"since": since or ""})
            snapshots = [self.snapshot(item) for item in page.get("items") or ()]
            next_cursor = page.get("next_cursor") or since
            yield SyncPage(snapshots, next_cursor)
            if not page.get("has_more") or next_cursor == since:
                return
            since = next_cursor

    def perform_action(
        self, connection: Connection, case: Case, action: ActionRequest
    ) -> ActionResult:
        if not self.capabilities.supports(case.kind, action.type):
            return super().perform_action(connection, case, action)
        body: dict[str, Any] = {"type": str(action.type)}
        if action.amount is not None:
            body["amount"] = action.amount.to_dict()
        if action.message is not None:
            body["message"] = action.message
        if action.evidence:
            body["evidence"] = [evidence.to_dict() for evidence in action.evidence]
        answer = self._call(
            connection,
            "POST",
            f"/{case.object_type}s/{case.external_id}/actions",
            json_body=body,
            headers={"Idempotency-Key": action.idempotency_key},
        )
        returned = answer.get("case")
        return ActionResult(
            external_id=str(answer["id"]) if answer.get("id") is not None else None,
            message=str(answer.get("message") or ""),
            refunded=action.amount if action.type == "refund" else None,
            snapshot=self.snapshot(returned) if isinstance(returned, dict) else None,
        )

    def _call(
        self,
        connection: Connection,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = connection.settings.get("api_base_url", DEFAULT_API_BASE_URL).rstrip("/") + path
        try:
            response = requests.request(
                method, url, params=params, json=json_body, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            raise MarketplaceError(f"fake API unreachable: {error}", transient=True) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise MarketplaceError(
                f"fake API answered {response.status_code}",
                transient=True,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                platform_status=response.status_code,
            )
        if response.status_code >= 400:
            raise MarketplaceError(
                f"fake API refused: {response.status_code} {response.text[:200]}",
                platform_status=response.status_code,
            )
        try:
            answer = response.json()
        except ValueError:
            raise MarketplaceError("fake API answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise MarketplaceError("fake API answered JSON that is not an object")
        return answer


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; ``None`` if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
