"""A GraphQL ``Return`` node shaped like the Admin API's answer (fields of Return,
ReturnLineItem and LineItem from the 2026-07 reference)."""

from __future__ import annotations

RETURN_ID = "123134564567890"
ORDER_ID = "4783296544821"


def line(number, reason, quantity, price, currency="EUR", note=None):
    return {
        "id": f"gid://shopify/ReturnLineItem/{number}",
        "quantity": quantity,
        "returnReason": reason,
        "returnReasonNote": "",
        "customerNote": note,
        "fulfillmentLineItem": {
            "lineItem": {
                "id": f"gid://shopify/LineItem/{number}0",
                "name": f"Item {number}",
                "sku": f"SKU-{number}",
                "discountedUnitPriceAfterAllDiscountsSet": {
                    "presentmentMoney": {"amount": price, "currencyCode": currency}
                },
            }
        },
    }


def return_node(status="REQUESTED", lines=None, **changes):
    node = {
        "id": f"gid://shopify/Return/{RETURN_ID}",
        "name": "#1001-R1",
        "status": status,
        "createdAt": "2026-03-01T09:59:00Z",
        "decline": None,
        "order": {
            "id": f"gid://shopify/Order/{ORDER_ID}",
            "legacyResourceId": ORDER_ID,
            "name": "#1001",
            "email": "john@example.com",
            "customerLocale": "de-DE",
            "customer": {
                "id": "gid://shopify/Customer/191167",
                "legacyResourceId": "191167",
                "displayName": "John Smith",
            },
            "shippingAddress": {"countryCodeV2": "DE"},
            "billingAddress": {"countryCodeV2": "AT"},
        },
        "returnLineItems": {
            "nodes": lines
            if lines is not None
            else [
                line(1, "OTHER", 2, "10.00"),
                line(2, "SIZE_TOO_SMALL", 1, "89.99", note="Too tight at the shoulders"),
            ]
        },
    }
    node.update(changes)
    return node
