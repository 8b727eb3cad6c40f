"""Synthetic eBay API bodies, built from the documented field lists (reference/ebay.md 1.3,
2.2): eBay publishes no sample bodies for these. Each builder takes overrides, so tests
state only what they vary."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any


def amount(value, currency):
    """A Post-Order Amount: the value a JSON number (Decimal here, written as a number)."""
    return {"value": Decimal(str(value)), "currency": currency}


def when(text):
    return {"value": text, "formattedValue": text}


def a_return(return_id="5000012345", state="RETURN_REQUESTED", status=None, **summary):
    body = {
        "summary": {
            "returnId": return_id,
            "buyerLoginName": "kaeufer_de",
            "sellerLoginName": "demo_seller",
            "currentType": "MONEY_BACK",
            "state": state,
            "status": status or state,
            "orderId": "12-34567-89012",
            "creationInfo": {
                "item": {"itemId": "110551991234", "transactionId": "28765432001"},
                "type": "MONEY_BACK",
                "reason": "DEFECTIVE_ITEM",
                "comments": {"content": "Does not switch on."},
                "creationDate": when("2026-03-02T09:00:00.000Z"),
            },
            "sellerResponseDue": {
                "activityDue": "SELLER_APPROVE_REQUEST",
                "respondByDate": when("2026-03-05T09:00:00.000Z"),
            },
            "sellerTotalRefund": {"estimatedRefundAmount": amount("39.90", "EUR")},
            "sellerAvailableOptions": [
                {"actionType": "SELLER_APPROVE_REQUEST"},
                {"actionType": "SELLER_DECLINE_REQUEST"},
            ],
        },
        "detail": {
            "buyerAddress": {"name": "Jana Beispiel", "address": {"country": "DE"}},
            "marketplaceId": "EBAY_DE",
        },
    }
    body["summary"].update(summary)
    return body


def an_inquiry(inquiry_id="5200098765", status="WAITING_SELLER_RESPONSE", **fields):
    body = {
        "inquiryId": inquiry_id,
        "state": "CREATED",
        "status": status,
        "initiator": "BUYER",
        "itemId": "110551991299",
        "transactionId": "28765432077",
        "claimAmount": amount("24.99", "USD"),
        "buyer": "where_is_it_us",
        "itemDetails": {"itemTitle": "Brass lamp"},
        "inquiryDetails": {"creationDate": when("2026-03-03T15:30:00.000Z")},
        "sellerMakeItRightByDate": when("2026-03-06T15:30:00.000Z"),
    }
    body.update(fields)
    return body


def a_case(case_id="5300011111", status="OPEN", **fields):
    body = {
        "caseId": case_id,
        "caseType": "ITEM_NOT_RECEIVED",
        "status": status,
        "initiator": "BUYER",
        "buyer": "tokyo_buyer",
        "itemId": "110551991300",
        "transactionId": "28765432099",
        "claimAmount": amount("4800", "JPY"),
        "creationDate": when("2026-03-04T01:00:00.000Z"),
        "caseDetails": {
            "escalationDate": when("2026-03-04T01:00:00.000Z"),
            "expirationDate": when("2026-03-07T01:00:00.000Z"),
        },
    }
    body.update(fields)
    return body


def a_dispute(dispute_id="5098765432", status="ACTION_NEEDED", **fields):
    body = {
        "paymentDisputeId": dispute_id,
        "paymentDisputeStatus": status,
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
    body.update(fields)
    return body


def an_order(order_id="21-09876-54321", *, shipped=True, **fields):
    """getOrder's ``Order``, with the fields of developer.ebay.com/api-docs/sell/fulfillment/
    types/sel:Order (``lineItems`` as ``LineItem``, ``fulfillmentStartInstructions`` as
    ``FulfillmentStartInstruction`` with ``shippingStep.shipTo`` an ``ExtendedContact``,
    ``paymentSummary`` as ``PaymentSummary``); the buyer and item of :func:`a_dispute`."""
    body = {
        "orderId": order_id,
        "legacyOrderId": "110551991300-10055199130001",
        "creationDate": "2026-02-20T09:15:00.000Z",
        "orderFulfillmentStatus": "FULFILLED" if shipped else "NOT_STARTED",
        "orderPaymentStatus": "PAID",
        "buyer": {"username": "uk_buyer_77"},
        "pricingSummary": {"total": {"value": "129.50", "currency": "GBP"}},
        "paymentSummary": {
            "payments": [{"paymentMethod": "EBAY", "paymentDate": "2026-02-20T09:16:02.000Z",
                          "amount": {"value": "129.50", "currency": "GBP"},
                          "paymentStatus": "PAID"}],
            "refunds": [],
        },
        "fulfillmentStartInstructions": [{
            "fulfillmentInstructionsType": "SHIP_TO",
            "shippingStep": {
                "shippingCarrierCode": "Royal Mail",
                "shipTo": {
                    "fullName": "Alex Smith",
                    "contactAddress": {"addressLine1": "1 High Street", "city": "London",
                                       "postalCode": "SW1A 1AA", "countryCode": "GB"},
                    "email": "a1b2c3@members.ebay.co.uk",
                },
            },
        }],
        "lineItems": [{
            "lineItemId": "10055199130001", "legacyItemId": "110551991300",
            "title": "Vintage brass compass", "sku": "CMP-01", "quantity": 1,
            "lineItemCost": {"value": "129.50", "currency": "GBP"},
            "lineItemFulfillmentStatus": "FULFILLED" if shipped else "NOT_STARTED",
        }],
        "fulfillmentHrefs": [
            f"https://api.ebay.com/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment/"
            "9405509699937003457459"
        ] if shipped else [],
    }  # fmt: skip
    body.update(fields)
    return body


def shipping_fulfillments(tracking="9405509699937003457459", carrier="ROYAL_MAIL"):
    """getShippingFulfillments' ``ShippingFulfillmentPagedCollection`` of one
    ``ShippingFulfillment`` (its example id is eBay's own, from the type's page)."""
    return {
        "fulfillments": [{
            "fulfillmentId": tracking,
            "lineItems": [{"lineItemId": "10055199130001", "quantity": 1}],
            "shipmentTrackingNumber": tracking,
            "shippedDate": "2026-02-21T14:00:00.000Z",
            "shippingCarrierCode": carrier,
        }],
        "total": 1,
    }  # fmt: skip


def a_cancellation(cancel_id="5100012345", state="APPROVAL_PENDING",
                   status="CANCEL_REQUESTED", **fields):  # fmt: skip
    """``GET cancellation/{cancelId}``: ``{"cancelDetail": CancelDetail}`` (field list of
    developer.ebay.com/Devzone/post-order/types/CancelDetail.html and CancelSummary.html)."""
    detail = {
        "cancelId": cancel_id,
        "marketplaceId": "EBAY_DE",
        "legacyOrderId": "110551991301-28765432111",
        "buyerLoginName": "changed_my_mind_de",
        "cancelReason": "BUYER_ASKED_CANCEL",
        "cancelState": state,
        "cancelStatus": status,
        "requestRefundAmount": amount("59.00", "EUR"),
        "cancelRequestDate": when("2026-03-09T08:00:00.000Z"),
        "sellerResponseDueDate": when("2026-03-12T08:00:00.000Z"),
    }
    detail.update(fields)
    return {"cancelDetail": detail}


def summary_of(obj):
    """A search member: the return's summary, a cancellation's detail, or the object itself
    (a copy)."""
    return copy.deepcopy(obj.get("summary", obj.get("cancelDetail", obj)))


def to_json(value: Any) -> str:
    """JSON as eBay writes it: Decimal amounts become JSON numbers with their exact digits."""

    def mark(item: Any) -> Any:
        if isinstance(item, Decimal):
            return f"{_MARK}{item}{_MARK}"
        if isinstance(item, dict):
            return {key: mark(v) for key, v in item.items()}
        if isinstance(item, list | tuple):
            return [mark(v) for v in item]
        return item

    text = json.dumps(mark(value), separators=(",", ":"), ensure_ascii=False)
    return re.sub(f'"{_MARK}([^"]*){_MARK}"', r"\1", text)


_MARK = "@@decimal@@"
