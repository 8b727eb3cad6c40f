"""The Order Inquiry API (GraphQL), where the seller answers an item-not-received inquiry.

eBay released it as 1.0.0 on 2026-10-26 (developer.ebay.com/develop/api/order-inquiry-api/
release-notes, checked 2026-12-04) with ``orderInquiry``, ``sellerOrderInquiries``,
``processOrderInquiryRefund``, ``provideShipmentInfoForItemNotReceivedInquiry``,
``sendOrderInquiryMessage`` and ``submitOrderInquiryReferral``. No eBay reference for the
operations' arguments was found (docs/platforms/ebay.md, "The Order Inquiry API", says what
was searched), so only this answer uses the API; the argument and result shapes below
(``input: {inquiryId, trackings: [{trackingNumber, shippingCarrier: {carrierCode}}]}``, a
union of ``...Success`` and ``...Error`` types with ``errorCode``/``errorMessage``) follow a
published migration guide and are listed under "Guesses and gaps" in docs/platforms/ebay.md.
String values are written as JSON string literals, which GraphQL reads the same way, so no
input type name has to be guessed.
"""

from __future__ import annotations

import json

from disputeflow import MarketplaceError
from disputeflow.plugins.ebay.api import EbayApi
from disputeflow.plugins.ebay.values import dig, text

TRACKING_MUTATION = """mutation {
  provideShipmentInfoForItemNotReceivedInquiry(input: {
    inquiryId: %(inquiry)s
    trackings: [{trackingNumber: %(number)s, shippingCarrier: {carrierCode: %(carrier)s}}]
  }) {
    __typename
    ... on ProvideShipmentInfoForItemNotReceivedInquirySuccess {
      orderInquiry { inquiryId status { code } }
    }
    ... on OrderInquiryActionNotPermittedError { errorCode errorMessage }
    ... on OrderInquiryNotFoundError { errorCode errorMessage }
    ... on ProvideShipmentInfoForInquiryInputValidationError { errorCode errorMessage }
  }
}"""


def _literal(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def provide_tracking(api: EbayApi, inquiry_id: str, number: str, carrier: str) -> str | None:
    """Answer an inquiry with the shipment's tracking; eBay's new inquiry status code."""
    query = TRACKING_MUTATION % {
        "inquiry": _literal(inquiry_id),
        "number": _literal(number),
        "carrier": _literal(carrier),
    }
    body = api.graphql(query, {}).body
    result = dig(body, "data", "provideShipmentInfoForItemNotReceivedInquiry")
    kind = text(dig(result, "__typename")) or ""
    if not kind or kind.endswith("Error"):
        words = text(dig(result, "errorMessage")) or "no answer"
        code = text(dig(result, "errorCode")) or kind or "error"
        raise MarketplaceError(f"eBay refused the tracking ({code}: {words})", transient=False)
    return text(dig(result, "orderInquiry", "status", "code"))
