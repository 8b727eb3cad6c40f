"""Refunds from Shopify's own suggestion, spread over the order's tenders, and returns
refunded through ``returnProcess``.

Payload sources (shapes and sample ids): shopify.dev ``admin-graphql/2026-10/objects/Order``
(``suggestedRefund``), ``objects/SuggestedOrderTransaction`` (``parentTransaction``,
``gateway``, ``maximumRefundableSet``), ``objects/RefundReturnOutcome``,
``mutations/refundCreate`` (payload ``{refund, userErrors}``) and the "Process a return"
example of ``mutations/returnProcess`` (return ``gid://shopify/Return/945000961``, return
line item ``677614678``, parent transaction ``239853124``, 25.99 USD), checked 2026-12-04.
"""

from __future__ import annotations

from disputeflow import Money
from tests.plugins.shopify.conftest import deliver, fixture, graphql_router, load_case
from tests.plugins.shopify.returns_data import ORDER_ID, RETURN_ID, return_node
from tests.plugins.shopify.test_actions import dispute, open_case, run

ORDER_GID = "gid://shopify/Order/625362839"
CARD = "gid://shopify/OrderTransaction/239853124"
GIFT_CARD = "gid://shopify/OrderTransaction/239853125"


def suggestion(currency, card, gift_card, kind="SUGGESTED_REFUND"):
    def money(amount):
        return {"presentmentMoney": {"amount": amount, "currencyCode": currency}}

    return [
        {"gateway": "shopify_payments", "kind": kind,
         "parentTransaction": {"id": CARD, "kind": "SALE"},
         "amountSet": money(card), "maximumRefundableSet": money(card)},
        {"gateway": "gift_card", "kind": kind,
         "parentTransaction": {"id": GIFT_CARD, "kind": "SALE"},
         "amountSet": money(gift_card), "maximumRefundableSet": money(gift_card)},
    ]  # fmt: skip


def suggested_refund(currency="USD", card="8.00", gift_card="3.50"):
    total = str(Money(card, currency) + Money(gift_card, currency))
    total = total.split()[0]
    return {
        "data": {
            "order": {
                "id": ORDER_GID,
                "presentmentCurrencyCode": currency,
                "suggestedRefund": {
                    "amountSet": {"presentmentMoney": {"amount": total, "currencyCode": currency}},
                    "maximumRefundableSet": {
                        "presentmentMoney": {"amount": total, "currencyCode": currency}
                    },
                    "suggestedTransactions": suggestion(currency, card, gift_card),
                },
            }
        }
    }


def refund_created(amount, currency="USD"):
    return {
        "data": {
            "refundCreate": {
                "refund": {
                    "id": "gid://shopify/Refund/929361471",
                    "legacyResourceId": "929361471",
                    "createdAt": "2026-03-05T12:00:01Z",
                    "totalRefundedSet": {
                        "presentmentMoney": {"amount": amount, "currencyCode": currency}
                    },
                },
                "userErrors": [],
            }
        }
    }


def test_a_refund_spreads_across_the_tenders(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    sent = graphql_router(
        api,
        {"OrderSuggestedRefund": [suggested_refund()], "RefundCreate": [refund_created("10.00")]},
    )
    done = run(runtime, case, type="refund", amount=Money("10.00", "USD"),
               idempotency_key="idem-split", message="goodwill")  # fmt: skip
    assert done["status"] == "succeeded", done["last_error"]
    (_, suggest), (_, create) = sent
    assert suggest["variables"] == {"id": ORDER_GID, "lines": None, "full": True}
    assert '@idempotent(key: "idem-split")' in create["query"]
    assert create["variables"]["input"]["transactions"] == [
        {"orderId": ORDER_GID, "parentId": CARD, "kind": "REFUND",
         "gateway": "shopify_payments", "amount": "8.00"},
        {"orderId": ORDER_GID, "parentId": GIFT_CARD, "kind": "REFUND",
         "gateway": "gift_card", "amount": "2.00"},
    ]  # fmt: skip
    assert done["result"]["refunded"] == {"value": "10.00", "currency": "USD"}
    assert done["result"]["data"]["transactions"] == 2
    assert done["result"]["data"]["suggested"] == str(Money("11.50", "USD"))


def test_one_tender_enough_sends_one_transaction(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    sent = graphql_router(
        api,
        {"OrderSuggestedRefund": [suggested_refund()], "RefundCreate": [refund_created("5.00")]},
    )
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"))
    assert done["status"] == "succeeded", done["last_error"]
    transactions = sent[1][1]["variables"]["input"]["transactions"]
    assert [(t["parentId"], t["amount"]) for t in transactions] == [(CARD, "5.00")]


def test_more_than_shopify_suggests_is_refused_before_sending(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    small = suggested_refund(card="4.00", gift_card="1.00")
    sent = graphql_router(api, {"OrderSuggestedRefund": [small]})
    done = run(runtime, case, type="refund", amount=Money("10.00", "USD"))
    assert done["status"] == "failed"
    assert "suggests at most 5.00 USD" in done["last_error"]
    assert [name for name, _ in sent] == ["OrderSuggestedRefund"]


def test_refund_in_another_currency_is_refused(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    graphql_router(api, {"OrderSuggestedRefund": [suggested_refund("EUR")]})
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"))
    assert done["status"] == "failed"
    assert "paid in EUR" in done["last_error"]


def test_jpy_refund_sends_no_decimals(app_client, runtime, api_connection, api):
    inquiry = dispute("inquiry", currency="JPY", amount="3000")
    case = open_case(app_client, runtime, api_connection, "disputes/create", inquiry)
    sent = graphql_router(
        api,
        {
            "OrderSuggestedRefund": [suggested_refund("JPY", "1000", "2000")],
            "RefundCreate": [refund_created("1500", "JPY")],
        },
    )
    done = run(runtime, case, type="refund", amount=Money("1500", "JPY"))
    assert done["status"] == "succeeded", done["last_error"]
    transactions = sent[1][1]["variables"]["input"]["transactions"]
    assert [t["amount"] for t in transactions] == ["1000", "500"]


def test_retried_refund_sends_the_same_key(app_client, runtime, api_connection, api, sleeps):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    sent = graphql_router(
        api,
        {
            "OrderSuggestedRefund": [suggested_refund()],
            "RefundCreate": [(503, {"errors": "unavailable"}), refund_created("5.00")],
        },
    )
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"), idempotency_key="k-1")
    assert done["status"] == "succeeded"
    creates = [body for name, body in sent if name == "RefundCreate"]
    assert len(creates) == 2
    assert all('@idempotent(key: "k-1")' in body["query"] for body in creates)


def test_refund_user_errors_fail_the_action(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    refused = {"data": {"refundCreate": {"refund": None, "userErrors": [
        {"field": ["transactions", "0", "amount"], "message": "Amount cannot exceed refundable"}
    ]}}}  # fmt: skip
    graphql_router(api, {"OrderSuggestedRefund": [suggested_refund()], "RefundCreate": [refused]})
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"))
    assert done["status"] == "failed"
    assert "transactions.0.amount: Amount cannot exceed refundable" in done["last_error"]


# -- a return's items: returnProcess ------------------------------------------------------

DOCS_RETURN = "945000961"  # the returnProcess page's example return
DOCS_LINE = "gid://shopify/ReturnLineItem/677614678"


def processable(quantity=1, status="OPEN", currency="USD"):
    return {
        "data": {
            "return": {
                "id": f"gid://shopify/Return/{DOCS_RETURN}",
                "status": status,
                "order": {
                    "id": f"gid://shopify/Order/{ORDER_ID}",
                    "presentmentCurrencyCode": currency,
                },
                "returnLineItems": {
                    "nodes": [{"id": DOCS_LINE, "processableQuantity": quantity}],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                },
            }
        }
    }


def outcome(card, gift_card, currency="USD"):
    total = str(Money(card, currency) + Money(gift_card, currency)).split()[0]
    return {"data": {"return": {"suggestedFinancialOutcome": {"financialTransfer": {
        "__typename": "RefundReturnOutcome",
        "amount": {"presentmentMoney": {"amount": total, "currencyCode": currency}},
        "suggestedTransactions": suggestion(currency, card, gift_card),
    }}}}}  # fmt: skip


def mutation_answer(field, status):
    return {"data": {field: {"return": {"id": f"gid://shopify/Return/{DOCS_RETURN}",
                                        "status": status}, "userErrors": []}}}  # fmt: skip


def open_return(app_client, runtime, connection):
    """A return case with the docs' return id and its two line items (25.99 USD in all)."""
    lines = [
        {**return_node()["returnLineItems"]["nodes"][0], "quantity": 1,
         "fulfillmentLineItem": {"lineItem": {"id": "gid://shopify/LineItem/10", "name": "Shirt",
          "sku": "S", "discountedUnitPriceAfterAllDiscountsSet": {"presentmentMoney": {
              "amount": "25.99", "currencyCode": "USD"}}}}},
    ]  # fmt: skip
    node = return_node("OPEN", lines, id=f"gid://shopify/Return/{DOCS_RETURN}")
    payload = {"id": int(DOCS_RETURN), "order_id": int(ORDER_ID), "status": "open"}
    return node, payload


def test_a_returns_refund_goes_through_return_process_and_closes_it(
    app_client, runtime, api_connection, api
):
    node, payload = open_return(app_client, runtime, api_connection)
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": node}}],
            "ReturnProcessable": [processable()],
            "ReturnSuggestedOutcome": [outcome("20.00", "5.99")],
            "ReturnProcess": [mutation_answer("returnProcess", "OPEN")],
            "ReturnClose": [mutation_answer("returnClose", "CLOSED")],
        },
    )
    deliver(app_client, runtime, api_connection, "returns/approve", payload)
    case = load_case(runtime, DOCS_RETURN)
    done = run(runtime, case, type="refund", amount=Money("25.99", "USD"), params={"notify": True})
    assert done["status"] == "succeeded", done["last_error"]
    names = [name for name, _ in sent]
    assert names[-4:] == ["ReturnProcessable", "ReturnSuggestedOutcome", "ReturnProcess",
                          "ReturnClose"]  # fmt: skip
    assert "RefundCreate" not in names
    suggest = next(body for name, body in sent if name == "ReturnSuggestedOutcome")
    assert suggest["variables"]["lines"] == [{"id": DOCS_LINE, "quantity": 1}]
    process = next(body for name, body in sent if name == "ReturnProcess")["variables"]["input"]
    assert process == {
        "returnId": f"gid://shopify/Return/{DOCS_RETURN}",
        "returnLineItems": [{"id": DOCS_LINE, "quantity": 1}],
        "notifyCustomer": True,
        "financialTransfer": {"issueRefund": {"orderTransactions": [
            {"parentId": CARD, "transactionAmount": {"amount": "20.00", "currencyCode": "USD"}},
            {"parentId": GIFT_CARD, "transactionAmount": {"amount": "5.99", "currencyCode": "USD"}},
        ]}},
    }  # fmt: skip
    case = load_case(runtime, DOCS_RETURN)
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")


def test_return_process_that_closes_the_return_needs_no_close(
    app_client, runtime, api_connection, api
):
    node, payload = open_return(app_client, runtime, api_connection)
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": node}}],
            "ReturnProcessable": [processable()],
            "ReturnSuggestedOutcome": [outcome("25.99", "0.00")],
            "ReturnProcess": [mutation_answer("returnProcess", "CLOSED")],
        },
    )
    deliver(app_client, runtime, api_connection, "returns/approve", payload)
    done = run(runtime, load_case(runtime, DOCS_RETURN), type="refund",
               amount=Money("25.99", "USD"))  # fmt: skip
    assert done["status"] == "succeeded", done["last_error"]
    assert "ReturnClose" not in [name for name, _ in sent]
    process = next(body for name, body in sent if name == "ReturnProcess")["variables"]["input"]
    assert len(process["financialTransfer"]["issueRefund"]["orderTransactions"]) == 1


def test_a_processed_return_is_not_processed_again(app_client, runtime, api_connection, api):
    node, payload = open_return(app_client, runtime, api_connection)
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": node}}],
            "ReturnProcessable": [processable(quantity=0, status="CLOSED")],
        },
    )
    deliver(app_client, runtime, api_connection, "returns/approve", payload)
    done = run(runtime, load_case(runtime, DOCS_RETURN), type="refund",
               amount=Money("25.99", "USD"))  # fmt: skip
    assert done["status"] == "succeeded"
    assert done["result"]["data"] == {"skipped": True, "return_status": "CLOSED"}
    assert [name for name, _ in sent][-1] == "ReturnProcessable"


def test_a_goodwill_refund_on_a_return_can_skip_processing(
    app_client, runtime, api_connection, api
):
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": return_node()}}],
            "OrderSuggestedRefund": [suggested_refund("EUR", "60.00", "49.99")],
            "RefundCreate": [refund_created("10.00", "EUR")],
        },
    )
    case = open_case(app_client, runtime, api_connection, "returns/request",
                     fixture("returns_request"))  # fmt: skip
    done = run(runtime, case, type="refund", amount=Money("10.00", "EUR"),
               params={"process_return": False})  # fmt: skip
    assert done["status"] == "succeeded", done["last_error"]
    assert [name for name, _ in sent][-2:] == ["OrderSuggestedRefund", "RefundCreate"]
    assert case.external_id == RETURN_ID
