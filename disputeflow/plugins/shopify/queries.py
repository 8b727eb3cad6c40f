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

# A return line item of either kind: ``ReturnLineItem`` (tied to a fulfilled line item) or
# ``UnverifiedReturnLineItem`` (no fulfillment; its own ``unitPrice``). ``{reason}`` is the
# reason field of the connection's API version (see :func:`for_version`).
# shopify.dev/docs/api/admin-graphql/2026-10/interfaces/ReturnLineItemType, checked 2026-12-04
RETURN_LINE_FIELDS = """
fragment ReturnLineFields on ReturnLineItemType {
  __typename id quantity returnReasonNote customerNote {reason}
  ... on ReturnLineItem { fulfillmentLineItem { lineItem { id name sku
    discountedUnitPriceAfterAllDiscountsSet { presentmentMoney { amount currencyCode } } } } }
  ... on UnverifiedReturnLineItem { unitPrice { amount currencyCode } }
}
"""

RETURN_FIELDS = """
fragment ReturnFields on Return {
  id name status createdAt
  decline { reason note }
  order { id legacyResourceId name email customerLocale
    customer { id legacyResourceId displayName }
    shippingAddress { countryCodeV2 } billingAddress { countryCodeV2 } }
  returnLineItems(first: %d) { nodes { ...ReturnLineFields } pageInfo { hasNextPage endCursor } }
}
"""

# Since 2026-07 ``returnReason`` is deprecated for ``returnReasonDefinition``; older versions
# only have the enum. shopify.dev/docs/api/admin-graphql/2026-10/objects/ReturnReasonDefinition
REASON_DEFINITION = "returnReasonDefinition { handle name }"
REASON_ENUM = "returnReason"
FIRST_DEFINITION_VERSION = "2026-07"

RETURN = (
    "query Return($id: ID!) { return(id: $id) { ...ReturnFields } }"
    + RETURN_FIELDS % 50
    + RETURN_LINE_FIELDS
)

RETURN_LINE_ITEMS = (
    "query ReturnLineItems($id: ID!, $after: String) { return(id: $id) {"
    " returnLineItems(first: 50, after: $after) {"
    " nodes { ...ReturnLineFields } pageInfo { hasNextPage endCursor } } } }" + RETURN_LINE_FIELDS
)

ORDER_RETURNS = (
    "query OrderReturns($id: ID!, $after: String) { order(id: $id) {"
    " returns(first: 10, after: $after) {"
    " nodes { ...ReturnFields } pageInfo { hasNextPage endCursor } } } }"
    + RETURN_FIELDS % 10
    + RETURN_LINE_FIELDS
)


def for_version(query: str, version: str) -> str:
    """``query`` with the return-reason field the API version has."""
    newer = version == "unstable" or version >= FIRST_DEFINITION_VERSION
    return query.replace("{reason}", REASON_DEFINITION if newer else REASON_ENUM)


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
    " nodes { id returns(first: 5) {"
    " nodes { ...ReturnFields } pageInfo { hasNextPage endCursor } } }"
    " pageInfo { hasNextPage endCursor } } }" + RETURN_FIELDS % 10 + RETURN_LINE_FIELDS
)

# How much Shopify would refund, and from which parent transactions (one per tender of a
# split-tender order, each with its own maximum). ``suggestFullRefund`` ignores the lines.
# shopify.dev/docs/api/admin-graphql/2026-10/objects/Order (suggestedRefund),
# .../objects/SuggestedOrderTransaction; checked 2026-12-04
SUGGESTED_TRANSACTIONS = """
suggestedTransactions { gateway kind parentTransaction { id kind }
  amountSet { presentmentMoney { amount currencyCode } }
  maximumRefundableSet { presentmentMoney { amount currencyCode } } }
"""

ORDER_SUGGESTED_REFUND = (
    "query OrderSuggestedRefund($id: ID!, $lines: [RefundLineItemInput!], $full: Boolean) {"
    " order(id: $id) { id presentmentCurrencyCode"
    " suggestedRefund(refundLineItems: $lines, suggestFullRefund: $full) {"
    " amountSet { presentmentMoney { amount currencyCode } }"
    " maximumRefundableSet { presentmentMoney { amount currencyCode } }"
    + SUGGESTED_TRANSACTIONS
    + " } } }"
)

# The return's lines still to process, and (second query, which needs those lines as its
# argument) the return's suggested financial outcome for them.
# shopify.dev/docs/api/admin-graphql/2026-10/objects/Return (suggestedFinancialOutcome),
# .../objects/RefundReturnOutcome; checked 2026-12-04
RETURN_PROCESSABLE = """
query ReturnProcessable($id: ID!, $after: String) {
  return(id: $id) { id status order { id presentmentCurrencyCode }
    returnLineItems(first: 50, after: $after) { nodes { id processableQuantity }
      pageInfo { hasNextPage endCursor } } }
}
"""

RETURN_SUGGESTED_OUTCOME = (
    "query ReturnSuggestedOutcome($id: ID!, $lines: [SuggestedOutcomeReturnLineItemInput!]!) {"
    " return(id: $id) {"
    " suggestedFinancialOutcome(returnLineItems: $lines, exchangeLineItems: []) {"
    " financialTransfer { __typename ... on RefundReturnOutcome {"
    " amount { presentmentMoney { amount currencyCode } }" + SUGGESTED_TRANSACTIONS + " } } } } }"
)

# shopify.dev/docs/api/admin-graphql/2026-10/mutations/disputeEvidenceUpdate; the evidence
# is reached from the dispute (ShopifyPaymentsDispute.disputeEvidence). Checked 2026-12-04.
EVIDENCE_TEXT_FIELDS = (
    "accessActivityLog cancellationPolicyDisclosure cancellationRebuttal"
    " refundPolicyDisclosure refundRefusalExplanation uncategorizedText"
)
DISPUTE_EVIDENCE = (
    "query DisputeEvidence($id: ID!) { dispute(id: $id) { id evidenceSentOn disputeEvidence { id "
    + EVIDENCE_TEXT_FIELDS
    + " } } }"
)

DISPUTE_EVIDENCE_UPDATE = (
    "mutation DisputeEvidenceUpdate($id: ID!, $input: ShopifyPaymentsDisputeEvidenceUpdateInput!)"
    " { disputeEvidenceUpdate(id: $id, input: $input) {"
    " disputeEvidence { id } userErrors { field message code } } }"
)

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

# What Shopify knows toward a dispute's evidence: the disputed order's fulfillments (tracking,
# delivery status and carrier events), addresses, customer and whether billing and shipping
# match, and the store's published refund and shipping policies with when they last changed.
# shopify.dev/docs/api/admin-graphql/2026-10/objects/Order (fulfillments, billingAddress,
# shippingAddress, billingAddressMatchesShippingAddress, customer, email),
# .../objects/Fulfillment (trackingInfo, displayStatus, deliveredAt, inTransitAt, events),
# .../objects/FulfillmentEvent (status, happenedAt), .../objects/OrderTransaction
# (paymentDetails), .../objects/CardPaymentDetails (avsResultCode, cvvResultCode),
# .../objects/ShopPolicy (updatedAt);
# checked 2026-12-05. 10 fulfillments x 20 events keep the cost far below 1000 points.
MAILING = "name address1 address2 city provinceCode zip countryCodeV2"
DISPUTE_ORDER_EVIDENCE = (
    "query DisputeOrderEvidence($id: ID!) { dispute(id: $id) { id order { id name createdAt"
    " email customer { displayName email }"
    f" billingAddress {{ {MAILING} }} shippingAddress {{ {MAILING} }}"
    " billingAddressMatchesShippingAddress"
    " transactions(first: 5) { kind status paymentDetails {"
    " ... on CardPaymentDetails { avsResultCode cvvResultCode } } }"
    " fulfillments(first: 10) { createdAt deliveredAt inTransitAt displayStatus"
    " trackingInfo(first: 5) { company number url }"
    " events(first: 20) { nodes { status happenedAt message } } } } }"
    " shop { shopPolicies { type body url updatedAt } } }"
)
