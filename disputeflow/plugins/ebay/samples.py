"""Sample deliveries for ``disputeflow demo`` and the conformance kit, signed as eBay signs.

eBay pushes no JSON message for returns or disputes, and a platform notification is only a
trigger that needs eBay's API. So the samples are Notification API messages that need no
network to translate: the documented account-deletion message, and ``DISPUTEFLOW_OBJECT``
messages carrying Post-Order and Fulfillment objects in the shapes eBay documents (field
lists of the Post-Order and Fulfillment references; the values are made up). They are
signed like eBay's (ECDSA P-256, SHA1, compact JSON) with the connection's sample key, which
a connection accepts only with ``accept_sample_signatures``. The demo dates them relative to
now (``shift_for``), before signing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from disputeflow import Connection, InboundRequest, SampleDelivery, redate, shift_for
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key, sign
from disputeflow.plugins.ebay.webhooks import ACCOUNT_DELETION, OBJECT_TOPIC


def message(
    topic: str, notification_id: str, event_date: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """A Notification API message (eBay's envelope, keys in eBay's order)."""
    return {
        "metadata": {"topic": topic, "schemaVersion": "1.0", "deprecated": False},
        "notification": {
            "notificationId": notification_id,
            "eventDate": event_date,
            "publishDate": event_date,
            "publishAttemptCount": 1,
            "data": dict(data),
        },
    }


def object_message(
    object_type: str, obj: Mapping[str, Any], notification_id: str, event_date: str
) -> dict[str, Any]:
    """A ``DISPUTEFLOW_OBJECT`` message carrying one eBay object as its API returns it."""
    data = {"objectType": object_type, "object": dict(obj)}
    return message(OBJECT_TOPIC, notification_id, event_date, data)


def signed_request(
    payload: Mapping[str, Any], private_key: ec.EllipticCurvePrivateKey, kid: str
) -> InboundRequest:
    """The POST eBay makes: compact JSON, ``X-EBAY-SIGNATURE`` over exactly those bytes."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body, private_key, kid)}
    return InboundRequest(method="POST", headers=headers, body=body)


DELETION = {"username": "test_user", "userId": "ma8vp1jySJC",
            "eiasToken": "nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ=="}  # fmt: skip

RETURN_REQUESTED: dict[str, Any] = {
    "summary": {
        "returnId": "5000012345",
        "buyerLoginName": "kaeufer_de",
        "sellerLoginName": "demo_seller",
        "currentType": "MONEY_BACK",
        "state": "RETURN_REQUESTED",
        "status": "RETURN_REQUESTED",
        "creationInfo": {
            "item": {"itemId": "110551991234", "transactionId": "28765432001",
                     "returnQuantity": 1},
            "type": "MONEY_BACK",
            "reason": "DEFECTIVE_ITEM",
            "comments": {"content": "Der Wasserkocher schaltet sich nicht ein."},
            "creationDate": {"value": "2026-03-02T09:00:00.000Z"},
        },
        "sellerResponseDue": {"activityDue": "SELLER_APPROVE_REQUEST",
                              "respondByDate": {"value": "2026-03-05T09:00:00.000Z"}},
        "sellerTotalRefund": {"estimatedRefundAmount": {"value": 39.9, "currency": "EUR"}},
        "sellerAvailableOptions": [{"actionType": "SELLER_APPROVE_REQUEST"},
                                   {"actionType": "SELLER_DECLINE_REQUEST"}],
        "orderId": "12-34567-89012",
    },
    "detail": {"buyerAddress": {"name": "Jana Beispiel", "address": {"country": "DE"}}},
}  # fmt: skip

RETURN_REFUNDED: dict[str, Any] = {
    "summary": {
        **RETURN_REQUESTED["summary"],
        "state": "CLOSED",
        "status": "CLOSED",
        "sellerResponseDue": None,
        "sellerAvailableOptions": [],
        "sellerTotalRefund": {"estimatedRefundAmount": {"value": 39.9, "currency": "EUR"},
                              "actualRefundAmount": {"value": 39.9, "currency": "EUR"}},
    },
    "detail": {**RETURN_REQUESTED["detail"], "closeInfo": {"returnCloseReason": "FULL_REFUNDED"}},
}  # fmt: skip

INQUIRY_OPENED: dict[str, Any] = {
    "inquiryId": "5200098765",
    "state": "CREATED",
    "status": "WAITING_SELLER_RESPONSE",
    "itemId": "110551991299",
    "transactionId": "28765432077",
    "claimAmount": {"value": 24.99, "currency": "USD"},
    "buyer": "where_is_it_us",
    "inquiryDetails": {"creationDate": {"value": "2026-03-03T15:30:00.000Z"}},
    "sellerMakeItRightByDate": {"value": "2026-03-06T15:30:00.000Z"},
}

CASE_OPENED: dict[str, Any] = {
    "caseId": 5312345678901234567,  # a 64-bit id, a JSON number as Post-Order sends it
    "caseType": "ITEM_NOT_RECEIVED",
    "status": "OPEN",
    "initiator": "BUYER",
    "buyer": "tokyo_buyer",
    "claimAmount": {"value": 4800, "currency": "JPY"},
    "creationDate": {"value": "2026-03-04T01:00:00.000Z"},
    "caseDetails": {"escalationDate": {"value": "2026-03-04T01:00:00.000Z"},
                    "expirationDate": {"value": "2026-03-07T01:00:00.000Z"}},
}  # fmt: skip

DISPUTE_OPENED: dict[str, Any] = {
    "paymentDisputeId": "5098765432",
    "paymentDisputeStatus": "ACTION_NEEDED",
    "reason": "FRAUD",
    "orderId": "21-09876-54321",
    "buyerUsername": "uk_buyer_77",
    "amount": {"value": "129.50", "currency": "GBP"},
    "availableChoices": ["CONTEST", "ACCEPT"],
    "openDate": "2026-03-05T10:00:00.000Z",
    "respondByDate": "2026-03-15T10:00:00.000Z",
    "revision": 2,
    "lineItems": [{"itemId": "110551991300", "lineItemId": "10055199130001"}],
}

DISPUTE_WON: dict[str, Any] = {
    **DISPUTE_OPENED,
    "paymentDisputeStatus": "CLOSED",
    "availableChoices": [],
    "sellerResponse": "CONTEST",
    "closedDate": "2026-04-20T12:00:00.000Z",
    "revision": 4,
    "resolution": {"reasonForClosure": "SELLER_WON", "protectionStatus": "FULLY_PROTECTED"},
}

# (name, object type or None for the deletion, object, notification id, event date)
SAMPLES: tuple[tuple[str, str | None, Mapping[str, Any], str, str], ...] = (
    ("account_deletion", None, DELETION, "sample-deletion-1", "2026-03-01T08:00:00.000Z"),
    ("return_requested", "return", RETURN_REQUESTED, "sample-return-1", "2026-03-02T09:00:05.000Z"),
    ("return_refunded", "return", RETURN_REFUNDED, "sample-return-2", "2026-03-09T11:00:00.000Z"),
    ("inquiry_opened", "inquiry", INQUIRY_OPENED, "sample-inquiry-1", "2026-03-03T15:30:05.000Z"),
    ("case_opened", "case", CASE_OPENED, "sample-case-1", "2026-03-04T01:00:05.000Z"),
    ("payment_dispute_opened", "payment_dispute", DISPUTE_OPENED, "sample-dispute-1",
     "2026-03-05T10:00:05.000Z"),
    ("payment_dispute_won", "payment_dispute", DISPUTE_WON, "sample-dispute-2",
     "2026-04-20T12:00:05.000Z"),
)  # fmt: skip


def sample_deliveries(connection: Connection) -> list[SampleDelivery]:
    """The samples, signed with ``connection``'s sample key. In the demo each object's
    dates move together so that its last message is now (``shift_for``); the signature is
    made over the moved body."""
    settings = connection.settings
    key = sample_private_key(settings["client_id"], settings["client_secret"])
    last: dict[str | None, str] = {}
    for _, object_type, _, _, at in SAMPLES:
        last[object_type] = max(at, last.get(object_type, at))
    deliveries = []
    for name, object_type, obj, notification_id, at in SAMPLES:
        if object_type is None:
            payload = message(ACCOUNT_DELETION, notification_id, at, obj)
        else:
            payload = object_message(object_type, obj, notification_id, at)
        moved = redate(payload, shift_for(last[object_type]))
        deliveries.append(SampleDelivery(name, signed_request(moved, key, SAMPLE_KID)))
    return deliveries
