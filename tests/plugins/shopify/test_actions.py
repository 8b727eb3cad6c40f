"""Actions through the outbox: request_action, then process_actions, against mocked Shopify."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import responses

from disputeflow import ActionNotAllowedError, Evidence, Money
from disputeflow.core.action_runner import process_actions
from disputeflow.core.outbox import ActionInput, request_action
from disputeflow.core.store import actions as action_store
from tests.plugins.shopify.conftest import REST, deliver, fixture, graphql_router, load_case
from tests.plugins.shopify.returns_data import RETURN_ID, return_node

NOW = datetime(2026, 3, 5, 12, tzinfo=UTC)
DISPUTE = "598735659"
EVIDENCE = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_evidences.json"
UPLOADS = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_file_uploads.json"
ORDER_GID = "gid://shopify/Order/625362839"


def order_payments(currency="USD", amount="11.50"):
    return {
        "data": {
            "order": {
                "id": ORDER_GID,
                "presentmentCurrencyCode": currency,
                "transactions": [
                    {
                        "id": "gid://shopify/OrderTransaction/1",
                        "kind": "AUTHORIZATION",
                        "status": "SUCCESS",
                        "gateway": "shopify_payments",
                        "amountSet": {
                            "presentmentMoney": {"amount": amount, "currencyCode": currency}
                        },
                    },
                    {
                        "id": "gid://shopify/OrderTransaction/2",
                        "kind": "SALE",
                        "status": "SUCCESS",
                        "gateway": "shopify_payments",
                        "amountSet": {
                            "presentmentMoney": {"amount": amount, "currencyCode": currency}
                        },
                    },
                ],
            }
        }
    }


def refund_created(amount="5.00", currency="USD"):
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


def dispute(kind="chargeback", **changes):
    body = fixture("rest_disputes_list_response")["disputes"][4]  # 598735659 needs_response
    return {**body, "type": kind, **changes}


def open_case(app_client, runtime, connection, topic, payload):
    deliver(app_client, runtime, connection, topic, payload)
    return load_case(runtime, str(payload["id"]))


def run(runtime, case, **wanted):
    action, created = request_action(runtime, case.id, ActionInput(**wanted))
    assert created
    process_actions(runtime)
    with runtime.database.session() as session:
        return action_store.describe(action_store.get(session, action["id"]))


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sent_json(call):
    return json.loads(call.request.body)


# -- contest: dispute evidence --------------------------------------------------------------


def test_contest_writes_evidence_uploads_files_and_submits(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    current = fixture("rest_dispute_evidence_get_response")
    current["dispute_evidence"]["dispute_evidence_files"]["uncategorized_file_id"] = None
    api.get(EVIDENCE, json=current)
    api.post(UPLOADS, json=fixture("rest_dispute_file_upload_create_response"))
    api.put(EVIDENCE, json=fixture("rest_dispute_evidence_update_response"))
    api.put(EVIDENCE, json=fixture("rest_dispute_evidence_submit_response"))
    pdf = base64.b64encode(b"%PDF-1.4 receipt").decode()
    pod = Evidence(
        "ev-1",
        "merchant",
        "shipping_documentation",
        NOW,
        "Signed POD",
        url="https://files.example/pod.pdf",
    )
    done = run(
        runtime,
        case,
        type="contest",
        message="Delivered and signed for.",
        evidence=(pod,),
        params={
            "evidence_fields": {"refund_policy_disclosure": "https://example.com/refund-policy"},
            "fulfillments": [
                {
                    "shipping_carrier": "FedEx",
                    "shipping_tracking_number": 4321,
                    "shipping_date": "2017-01-02T13:00:00+00:00",
                }
            ],
            "files": [
                {
                    "document_type": "uncategorized_file",
                    "filename": "receipt.pdf",
                    "mimetype": "application/pdf",
                    "data": pdf,
                },
                {
                    "document_type": "shipping_documentation_file",
                    "filename": "label.pdf",
                    "mimetype": "application/pdf",
                    "data": pdf,
                },
            ],
        },
    )
    assert done["status"] == "succeeded", done["last_error"]
    assert done["external_id"] == "819974671"
    assert done["result"]["data"]["uploaded_files"] == ["1047018778"]  # shipping one was attached
    methods = [(c.request.method, c.request.url.rsplit("/", 1)[-1]) for c in api.calls]
    assert methods == [
        ("GET", "dispute_evidences.json"),
        ("POST", "dispute_file_uploads.json"),
        ("PUT", "dispute_evidences.json"),
        ("PUT", "dispute_evidences.json"),
    ]
    upload = sent_json(api.calls[1])["dispute_file_upload"]
    assert upload == {
        "document_type": "uncategorized_file",
        "filename": "receipt.pdf",
        "mimetype": "application/pdf",
        "data": pdf,
    }
    update = sent_json(api.calls[2])["dispute_evidence"]
    assert update["uncategorized_text"] == (
        "Delivered and signed for.\nshipping_documentation: Signed POD https://files.example/pod.pdf"
    )
    assert update["refund_policy_disclosure"] == "https://example.com/refund-policy"
    assert update["fulfillments_attributes"] == [
        {
            "shipping_carrier": "FedEx",
            "shipping_tracking_number": "4321",
            "shipping_date": "2017-01-02T13:00:00+00:00",
        }
    ]
    assert sent_json(api.calls[3]) == {"dispute_evidence": {"submit_evidence": True}}
    assert api.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_test_token"


def test_contest_is_not_repeated_once_submitted(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    api.get(EVIDENCE, json=fixture("rest_dispute_evidence_submit_response"))
    done = run(runtime, case, type="contest", message="again")
    assert done["status"] == "succeeded"
    assert done["result"]["message"] == "evidence was already submitted"
    assert len(api.calls) == 1


def test_contest_refused_by_shopify_fails_with_its_message(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    api.get(EVIDENCE, json=fixture("rest_dispute_evidence_get_response"))
    api.put(EVIDENCE, status=422, json={"errors": {"uncategorized_text": ["is too long"]}})
    done = run(runtime, case, type="contest", message="x" * 10)
    assert done["status"] == "failed"
    assert "HTTP 422" in done["last_error"]
    assert "is too long" in done["last_error"]
    assert load_case(runtime, DISPUTE).timeline[-1].kind == "action_failed"


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "needle"),
    [
        (429, {"Retry-After": "30"}, "pending", "HTTP 429"),
        (503, {}, "pending", "HTTP 503"),
        (401, {}, "failed", "check access_token"),
        (404, {}, "failed", "HTTP 404"),
    ],
)
def test_contest_errors(
    app_client, runtime, api_connection, api, sleeps, status, headers, outcome, needle
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    api.get(EVIDENCE, status=status, headers=headers, json={"errors": "Not Found"})
    done = run(runtime, case, type="contest", message="hello")
    assert done["status"] == outcome
    assert needle in done["last_error"]
    if outcome == "pending":  # retried later, honouring Retry-After
        wait = when(done["next_attempt_at"]) - when(done["updated_at"])
        assert wait >= timedelta(seconds=30 if status == 429 else 10)
    assert all(s <= 10 for s in sleeps)


# -- refunds ----------------------------------------------------------------------------------


def test_refund_on_an_inquiry_uses_refund_create_with_the_idempotency_key(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    sent = graphql_router(
        api, {"OrderPayments": [order_payments()], "RefundCreate": [refund_created()]}
    )
    done = run(
        runtime,
        case,
        type="refund",
        amount=Money("5.00", "USD"),
        idempotency_key="idem-7f3a",
        message="goodwill",
    )
    assert done["status"] == "succeeded", done["last_error"]
    assert (done["external_id"], done["result"]["refunded"]) == (
        "929361471",
        {"value": "5.00", "currency": "USD"},
    )
    (_, payments), (_, create) = sent
    assert payments["variables"] == {"id": ORDER_GID}
    assert '@idempotent(key: "idem-7f3a")' in create["query"]
    assert create["variables"]["input"] == {
        "orderId": ORDER_GID,
        "currency": "USD",
        "notify": False,
        "note": "goodwill",
        "transactions": [
            {
                "orderId": ORDER_GID,
                "parentId": "gid://shopify/OrderTransaction/2",
                "kind": "REFUND",
                "gateway": "shopify_payments",
                "amount": "5.00",
            }
        ],
    }


def test_refund_in_jpy_sends_no_decimals(app_client, runtime, api_connection, api):
    inquiry = dispute("inquiry", currency="JPY", amount="3000")
    case = open_case(app_client, runtime, api_connection, "disputes/create", inquiry)
    sent = graphql_router(
        api,
        {
            "OrderPayments": [order_payments("JPY", "3000")],
            "RefundCreate": [refund_created("1500", "JPY")],
        },
    )
    done = run(runtime, case, type="refund", amount=Money("1500", "JPY"))
    assert done["status"] == "succeeded"
    transaction = sent[1][1]["variables"]["input"]["transactions"][0]
    assert (transaction["amount"], sent[1][1]["variables"]["input"]["currency"]) == ("1500", "JPY")


def test_refund_in_another_currency_than_the_order_is_refused(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    graphql_router(api, {"OrderPayments": [order_payments("EUR")]})
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"))
    assert done["status"] == "failed"
    assert "paid in EUR" in done["last_error"]


def test_refund_user_errors_fail_the_action(app_client, runtime, api_connection, api):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    refused = {
        "data": {
            "refundCreate": {
                "refund": None,
                "userErrors": [
                    {
                        "field": ["transactions", "0", "amount"],
                        "message": "Amount cannot exceed refundable",
                    }
                ],
            }
        }
    }
    graphql_router(api, {"OrderPayments": [order_payments()], "RefundCreate": [refused]})
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"))
    assert done["status"] == "failed"
    assert "transactions.0.amount: Amount cannot exceed refundable" in done["last_error"]


def test_retried_refund_sends_the_same_key(app_client, runtime, api_connection, api, sleeps):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute("inquiry"))
    sent = graphql_router(
        api,
        {
            "OrderPayments": [order_payments()],
            "RefundCreate": [(503, {"errors": "unavailable"}), refund_created()],
        },
    )
    done = run(runtime, case, type="refund", amount=Money("5.00", "USD"), idempotency_key="k-1")
    assert done["status"] == "succeeded"
    creates = [body for name, body in sent if name == "RefundCreate"]
    assert len(creates) == 2
    assert all('@idempotent(key: "k-1")' in b["query"] for b in creates)
    assert len(sleeps) == 1  # PlatformClient's backoff, recorded instead of slept


def test_refund_with_restock_sends_the_return_lines(app_client, runtime, api_connection, api):
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": return_node()}}],
            "OrderPayments": [order_payments("EUR", "109.99")],
            "RefundCreate": [refund_created("109.99", "EUR")],
        },
    )
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    done = run(
        runtime,
        case,
        type="refund",
        amount=Money("109.99", "EUR"),
        params={"restock": True, "location_id": "487838322"},
    )
    assert done["status"] == "succeeded", done["last_error"]
    lines = sent[-1][1]["variables"]["input"]["refundLineItems"]
    assert lines[1] == {
        "lineItemId": "gid://shopify/LineItem/20",
        "quantity": 1,
        "restockType": "RETURN",
        "locationId": "gid://shopify/Location/487838322",
    }


def test_process_return_then_close(app_client, runtime, api_connection, api):
    processable = {
        "data": {
            "return": {
                "id": f"gid://shopify/Return/{RETURN_ID}",
                "status": "OPEN",
                "order": {"id": ORDER_GID},
                "returnLineItems": {
                    "nodes": [
                        {"id": "gid://shopify/ReturnLineItem/1", "processableQuantity": 2},
                        {"id": "gid://shopify/ReturnLineItem/2", "processableQuantity": 0},
                    ]
                },
            }
        }
    }
    ok = {"return": {"id": "x", "status": "OPEN"}, "userErrors": []}
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": return_node()}}],
            "ReturnProcessable": [processable],
            "OrderPayments": [order_payments("EUR", "109.99")],
            "ReturnProcess": [{"data": {"returnProcess": ok}}],
            "ReturnClose": [
                {"data": {"returnClose": {**ok, "return": {"id": "x", "status": "CLOSED"}}}}
            ],
        },
    )
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    deliver(
        app_client,
        runtime,
        api_connection,
        "returns/approve",
        {"id": int(RETURN_ID), "status": "open"},
        triggered_at="2026-03-01T11:00:00Z",
    )
    done = run(
        runtime,
        case,
        type="refund",
        amount=Money("20.00", "EUR"),
        params={"process_return": True, "close": True},
    )
    assert done["status"] == "succeeded", done["last_error"]
    process = next(body for name, body in sent if name == "ReturnProcess")["variables"]["input"]
    assert process["returnLineItems"] == [{"id": "gid://shopify/ReturnLineItem/1", "quantity": 2}]
    assert process["financialTransfer"]["issueRefund"]["orderTransactions"] == [
        {
            "parentId": "gid://shopify/OrderTransaction/2",
            "transactionAmount": {"amount": "20.00", "currencyCode": "EUR"},
        }
    ]
    case = load_case(runtime, RETURN_ID)
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")


def test_process_return_is_not_repeated(app_client, runtime, api_connection, api):
    processed = {
        "data": {
            "return": {
                "id": "r",
                "status": "OPEN",
                "order": {"id": ORDER_GID},
                "returnLineItems": {"nodes": [{"id": "l1", "processableQuantity": 0}]},
            }
        }
    }
    sent = graphql_router(
        api, {"Return": [{"data": {"return": return_node()}}], "ReturnProcessable": [processed]}
    )
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    done = run(
        runtime, case, type="refund", amount=Money("20.00", "EUR"), params={"process_return": True}
    )
    assert done["status"] == "succeeded"
    assert done["result"]["data"] == {"skipped": True}
    assert [name for name, _ in sent] == ["Return", "ReturnProcessable"]


# -- approve and decline a return ---------------------------------------------------------------


def test_approve_return(app_client, runtime, api_connection, api):
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": return_node()}}],
            "ReturnApproveRequest": [
                {
                    "data": {
                        "returnApproveRequest": {
                            "return": {"id": "gid://shopify/Return/1", "status": "OPEN"},
                            "userErrors": [],
                        }
                    }
                }
            ],
        },
    )
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    done = run(runtime, case, type="approve_return", params={"notify": True})
    assert done["status"] == "succeeded"
    assert sent[-1][1]["variables"] == {
        "input": {"id": f"gid://shopify/Return/{RETURN_ID}", "notifyCustomer": True}
    }
    assert load_case(runtime, RETURN_ID).status == "awaiting_buyer"


def test_decline_return_with_reason_and_note(app_client, runtime, api_connection, api):
    sent = graphql_router(
        api,
        {
            "Return": [{"data": {"return": return_node()}}],
            "ReturnDeclineRequest": [
                {
                    "data": {
                        "returnDeclineRequest": {
                            "return": {"id": "r", "status": "DECLINED"},
                            "userErrors": [],
                        }
                    }
                }
            ],
        },
    )
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    done = run(
        runtime,
        case,
        type="decline_return",
        message="n" * 600,
        params={"decline_reason": "return_period_ended"},
    )
    assert done["status"] == "succeeded"
    sent_input = sent[-1][1]["variables"]["input"]
    assert sent_input["declineReason"] == "RETURN_PERIOD_ENDED"
    assert len(sent_input["declineNote"]) == 500
    assert (load_case(runtime, RETURN_ID).status, load_case(runtime, RETURN_ID).outcome) == (
        "resolved",
        "merchant_favor",
    )


def test_decline_with_an_unknown_reason_fails_before_calling(
    app_client, runtime, api_connection, api
):
    sent = graphql_router(api, {"Return": [{"data": {"return": return_node()}}]})
    case = open_case(
        app_client, runtime, api_connection, "returns/request", fixture("returns_request")
    )
    done = run(runtime, case, type="decline_return", params={"decline_reason": "TOO_LAZY"})
    assert done["status"] == "failed"
    assert "RETURN_PERIOD_ENDED" in done["last_error"]
    assert [name for name, _ in sent] == ["Return"]


def test_actions_not_offered_are_refused_before_the_outbox(
    app_client, runtime, api_connection, api
):
    case = open_case(app_client, runtime, api_connection, "disputes/create", dispute())
    with pytest.raises(ActionNotAllowedError):
        request_action(runtime, case.id, ActionInput(type="accept"))
    with pytest.raises(ActionNotAllowedError):
        request_action(runtime, case.id, ActionInput(type="refund", amount=Money("1.00", "USD")))
    assert not api.calls


def test_connection_without_token_fails_clearly(app_client, runtime, connection, api):
    case = open_case(app_client, runtime, connection, "disputes/create", dispute())
    done = run(runtime, case, type="contest", message="x")
    assert done["status"] == "failed"
    assert "no access_token" in done["last_error"]
    assert not api.calls


assert responses  # the mock library every test here leans on
