"""Sample deliveries for ``disputeflow demo`` and the conformance kit, signed as PayPal signs.

The disputes are PayPal's own examples: ``PP-R-AYP-10135034`` is the "Show dispute details"
sample response of PayPal's guide "Use Disputes API"
(https://docs.paypal.ai/growth/disputes/handle-disputes/use-disputes-api, checked
2026-12-04), and its escalation carries the stage, status, update time and due date the same
guide's "List disputes" sample gives that dispute five days later, with the actions the
guide's table offers a claim (checked 2026-12-05, see ``ESCALATED``). ``PP-R-GSS-10059837``,
resolved in the buyer's favour, is the "Show dispute details" example of PayPal's public
Postman collection (Disputes folder). The event envelope has the fields of PayPal's webhook
event (https://developer.paypal.com/api/rest/webhooks/event-names/, checked 2026-12-04);
its ids are made up. Each is signed with the connection's sample key
(:mod:`~disputeflow.plugins.paypal.samplekeys`).
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from disputeflow import Connection, InboundRequest, SampleDelivery
from disputeflow.plugins.paypal.samplekeys import SAMPLE_CERT_URL, sample_private_key
from disputeflow.plugins.paypal.signatures import ALGORITHM, signed_message

SANDBOX = "https://api-m.sandbox.paypal.com/v1/customer/disputes/"


def _link(dispute_id: str, rel: str, method: str = "POST") -> dict[str, str]:
    path = "" if rel == "self" else "/" + rel.replace("_", "-")
    return {"href": f"{SANDBOX}{dispute_id}{path}", "rel": rel, "method": method}


INQUIRY: dict[str, Any] = {
    "dispute_id": "PP-R-AYP-10135034",
    "create_time": "2025-09-18T09:46:54.926Z",
    "update_time": "2025-09-18T09:49:53.336Z",
    "disputed_transactions": [
        {
            "buyer_transaction_id": "7XB07472F52871902",
            "seller_transaction_id": "8AW70038VH226914P",
            "create_time": "2025-09-18T09:42:33.000Z",
            "transaction_status": "HELD",
            "gross_amount": {"currency_code": "USD", "value": "2.00"},
            "buyer": {"name": "John Doe"},
            "seller": {
                "email": "sb-ekqdo43289257@business.example.com",
                "merchant_id": "HAAP3SNYZZ9NG",
                "name": "The Happy Store",
            },
            "items": [
                {
                    "item_name": "Check Ngo",
                    "item_description": "Check Ngo",
                    "item_quantity": "1",
                    "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
                    "item_type": "PRODUCT",
                }
            ],
            "seller_protection_eligible": True,
            "seller_protection_type": "EXPANDED_SELLER_PROTECTION",
        }
    ],
    "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
    "status": "WAITING_FOR_SELLER_RESPONSE",
    "dispute_amount": {"currency_code": "USD", "value": "2.00"},
    "dispute_state": "REQUIRED_ACTION",
    "dispute_life_cycle_stage": "INQUIRY",
    "dispute_channel": "INTERNAL",
    "messages": [
        {
            "posted_by": "BUYER",
            "time_posted": "2025-09-18T09:46:54.926Z",
            "content": "Test support case",
        }
    ],
    "extensions": {"merchant_contacted": False, "buyer_contacted_time": "2025-09-18T09:46:53.836Z"},
    "evidences": [
        {
            "evidence_type": "CREATE",
            "notes": "Test support case",
            "source": "SUBMITTED_BY_BUYER",
            "date": "2025-09-18T09:46:54.926Z",
            "dispute_life_cycle_stage": "INQUIRY",
        },
        {
            "evidence_type": "PROOF_OF_FULFILLMENT",
            "source": "REQUESTED_FROM_SELLER",
            "date": "2025-09-18T09:49:53.336Z",
        },
    ],
    "seller_response_due_date": "2025-10-08T09:46:54.926Z",
    "offer": {"buyer_requested_amount": {"currency_code": "USD", "value": "2.00"}},
    "refund_details": {"allowed_refund_amount": {"currency_code": "USD", "value": "2.00"}},
    "allowed_response_options": {
        "accept_claim": {"accept_claim_types": ["PARTIAL_REFUND", "REFUND"]},
        "make_offer": {"offer_types": ["REFUND"]},
    },
    "links": [
        _link("PP-R-AYP-10135034", "self", "GET"),
        _link("PP-R-AYP-10135034", "send_message"),
        _link("PP-R-AYP-10135034", "escalate"),
        _link("PP-R-AYP-10135034", "accept_claim"),
        _link("PP-R-AYP-10135034", "make_offer"),
        _link("PP-R-AYP-10135034", "provide_evidence"),
    ],
}

# The guide's "List disputes" sample shows the same dispute as a claim five days later (its
# stage, update time and due date below). A list item carries no response options or action
# links, and neither PayPal's guide nor its OpenAPI file (paypal-rest-api-specifications
# ``customer_disputes_v1.json``, which has no response examples) shows a claim's details. So
# the options are the details sample's, and the links are its links less the two that the
# guide's "Respond to a dispute" table offers only in the INQUIRY stage (send message,
# escalate): for CHARGEBACK and WAITING_FOR_SELLER_RESPONSE it lists provide evidence, accept
# claim, make offer (appeal only once resolved for the buyer; acknowledge returned item only
# after a return).
ESCALATED: dict[str, Any] = {
    **copy.deepcopy(INQUIRY),
    "update_time": "2025-09-23T09:57:13.000Z",
    "dispute_life_cycle_stage": "CHARGEBACK",
    "seller_response_due_date": "2025-10-04T06:59:59.000Z",
    "links": [
        link
        for link in copy.deepcopy(INQUIRY["links"])
        if link["rel"] not in ("send_message", "escalate")
    ],
}

RESOLVED: dict[str, Any] = {
    "dispute_id": "PP-R-GSS-10059837",
    "create_time": "2023-03-27T09:06:12.409Z",
    "update_time": "2023-03-29T17:45:30.974Z",
    "disputed_transactions": [
        {
            "buyer_transaction_id": "4DV78168SM660625N",
            "seller_transaction_id": "47987518DF175504N",
            "create_time": "2023-03-27T09:00:52.000Z",
            "transaction_status": "REFUNDED",
            "gross_amount": {"currency_code": "EUR", "value": "10.00"},
            "buyer": {"name": "John Doe"},
            "seller": {
                "email": "john_merchant@example.com",
                "merchant_id": "C7CYMKZDG8D6E",
                "name": "John Merchant's Test Store",
            },
            "items": [
                {
                    "item_name": "T-Shirt",
                    "item_description": "T-Shirt",
                    "item_quantity": "1",
                    "reason": "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED",
                    "item_type": "PRODUCT",
                }
            ],
            "seller_protection_eligible": False,
        }
    ],
    "reason": "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED",
    "status": "RESOLVED",
    "dispute_amount": {"currency_code": "EUR", "value": "10.00"},
    "dispute_state": "RESOLVED",
    "fee_policy": {"transaction_fee": "RETAIN_ALL_FEE"},
    "dispute_outcome": {
        "outcome_code": "RESOLVED_BUYER_FAVOUR",
        "amount_refunded": {"currency_code": "EUR", "value": "10.00"},
    },
    "dispute_life_cycle_stage": "CHARGEBACK",
    "dispute_channel": "INTERNAL",
    "messages": [
        {
            "posted_by": "SELLER",
            "time_posted": "2023-03-27T10:21:24.228Z",
            "content": "Full refund to the customer.",
        }
    ],
    "links": [_link("PP-R-GSS-10059837", "self", "GET")],
}


def event(event_id: str, event_type: str, resource: Mapping[str, Any]) -> dict[str, Any]:
    """A webhook event carrying one dispute, as PayPal posts it."""
    return {
        "id": event_id,
        "event_version": "1.0",
        "create_time": resource["update_time"],
        "resource_type": "dispute",
        "event_type": event_type,
        "summary": f"Dispute {resource['dispute_id']}: {event_type}",
        "resource": dict(resource),
        "links": [
            {
                "href": f"https://api-m.sandbox.paypal.com/v1/notifications/webhooks-events/{event_id}",
                "rel": "self",
                "method": "GET",
            }
        ],
    }


def sign(message: bytes, key: rsa.RSAPrivateKey) -> str:
    """``PAYPAL-TRANSMISSION-SIG``: base64 of the SHA256withRSA signature of ``message``."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_request(
    payload: Mapping[str, Any],
    *,
    key: rsa.RSAPrivateKey,
    webhook_id: str,
    transmission_id: str,
    cert_url: str = SAMPLE_CERT_URL,
) -> InboundRequest:
    """The POST PayPal makes: the JSON body and the five ``PAYPAL-*`` headers over it."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    time = str(payload.get("create_time") or "2025-01-01T00:00:00Z")
    message = signed_message(transmission_id, time, webhook_id, body)
    headers = {
        "Content-Type": "application/json",
        "PAYPAL-TRANSMISSION-ID": transmission_id,
        "PAYPAL-TRANSMISSION-TIME": time,
        "PAYPAL-TRANSMISSION-SIG": sign(message, key),
        "PAYPAL-CERT-URL": cert_url,
        "PAYPAL-AUTH-ALGO": ALGORITHM,
    }
    return InboundRequest(method="POST", headers=headers, body=body)


SAMPLES = (
    ("dispute_created", "WH-4M0448861G563140B-9EX36365822141321", "CUSTOMER.DISPUTE.CREATED",
     INQUIRY),
    ("dispute_escalated", "WH-1LX75463BV394893K-4DC57720AE263133J", "CUSTOMER.DISPUTE.UPDATED",
     ESCALATED),
    ("dispute_resolved", "WH-7YB22108E5405853W-2GT18837FH127061B", "CUSTOMER.DISPUTE.RESOLVED",
     RESOLVED),
)  # fmt: skip


def sample_deliveries(connection: Connection) -> list[SampleDelivery]:
    """The three samples, signed for ``connection`` with its sample key."""
    settings = connection.settings
    key = sample_private_key(str(settings["client_id"]), str(settings["client_secret"]))
    return [
        SampleDelivery(
            name,
            signed_request(
                event(event_id, event_type, resource),
                key=key,
                webhook_id=str(settings["webhook_id"]),
                transmission_id=f"{number:08d}-84a4-11f0-9c4e-d7a1c6e0b2f5",
            ),
        )
        for number, (name, event_id, event_type, resource) in enumerate(SAMPLES, start=1)
    ]
