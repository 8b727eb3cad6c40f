"""The Admin GraphQL documents the plugin sends (page sizes keep each query's calculated
cost well under Shopify's single-query maximum of 1000 points)."""

from __future__ import annotations

import json

DISPUTE_FIELDS = """
fragment DisputeFields on ShopifyPaymentsDispute {
  id legacyResourceId type status initiatedAt evidenceDueBy evidenceSentOn finalizedOn
  amount { amount currencyCode }
  reasonDetails { reason networkReasonCode }
  order { id legacyResourceId name
    shippingAddress { countryCodeV2 } billingAddress { countryCodeV2 } }
}
"""

RETURN_FIELDS = """
fragment ReturnFields on Return {
  id name status createdAt
  decline { reason note }
  order { id legacyResourceId name email customerLocale
    customer { id legacyResourceId displayName }
    shippingAddress { countryCodeV2 } billingAddress { countryCodeV2 } }
  returnLineItems(first: %d) { nodes {
    id quantity returnReason returnReasonNote customerNote
    ... on ReturnLineItem { fulfillmentLineItem { lineItem { id name sku
      discountedUnitPriceAfterAllDiscountsSet { presentmentMoney { amount currencyCode } } } } }
  } }
}
"""

RETURN = "query Return($id: ID!) { return(id: $id) { ...ReturnFields } }" + RETURN_FIELDS % 50

DISPUTES = (
    "query Disputes($first: Int!, $after: String, $query: String) {"
    " disputes(first: $first, after: $after, query: $query) {"
    " nodes { ...DisputeFields } pageInfo { hasNextPage endCursor } } }" + DISPUTE_FIELDS
)

DISPUTES_BY_ID = (
    "query DisputesById($ids: [ID!]!) {"
    " nodes(ids: $ids) { ... on ShopifyPaymentsDispute { ...DisputeFields } } }" + DISPUTE_FIELDS
)

ORDERS_WITH_RETURNS = (
    "query OrdersWithReturns($first: Int!, $after: String, $query: String) {"
    " orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {"
    " nodes { returns(first: 5) { nodes { ...ReturnFields } } }"
    " pageInfo { hasNextPage endCursor } } }" + RETURN_FIELDS % 10
)

ORDER_PAYMENTS = """
query OrderPayments($id: ID!) {
  order(id: $id) { id presentmentCurrencyCode
    transactions(first: 50) { id kind status gateway
      amountSet { presentmentMoney { amount currencyCode } } } }
}
"""

RETURN_PROCESSABLE = """
query ReturnProcessable($id: ID!) {
  return(id: $id) { id status order { id }
    returnLineItems(first: 50) { nodes { id ... on ReturnLineItem { processableQuantity } } } }
}
"""

RETURN_RESULT = "return { id status }\n    userErrors { field message code }"

APPROVE_RETURN = (
    "mutation ReturnApproveRequest($input: ReturnApproveRequestInput!) {"
    f" returnApproveRequest(input: $input) {{ {RETURN_RESULT} }} }}"
)
DECLINE_RETURN = (
    "mutation ReturnDeclineRequest($input: ReturnDeclineRequestInput!) {"
    f" returnDeclineRequest(input: $input) {{ {RETURN_RESULT} }} }}"
)
CLOSE_RETURN = f"mutation ReturnClose($id: ID!) {{ returnClose(id: $id) {{ {RETURN_RESULT} }} }}"
PROCESS_RETURN = (
    "mutation ReturnProcess($input: ReturnProcessInput!) {"
    f" returnProcess(input: $input) {{ {RETURN_RESULT} }} }}"
)


def refund_create(idempotency_key: str) -> str:
    """``refundCreate`` with Shopify's ``@idempotent`` directive (mandatory from 2026-04):
    a retry with the same key returns the first refund instead of making another."""
    return (
        "mutation RefundCreate($input: RefundInput!) {"
        f" refundCreate(input: $input) @idempotent(key: {json.dumps(idempotency_key)}) {{"
        " refund { id legacyResourceId createdAt"
        " totalRefundedSet { presentmentMoney { amount currencyCode } } }"
        " userErrors { field message } } }"
    )


WEBHOOK_SUBSCRIPTIONS = """
query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor } }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation WebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message } }
}
"""

SHOP_POLICIES = "query ShopPolicies { shop { shopPolicies { type title body url } } }"
