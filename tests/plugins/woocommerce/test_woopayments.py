"""WooPayments as its own screens treat disputes: inquiries accepted by a refund, a closed
inquiry never a merchant win, disputes found by ``search``, the admin routes' HTTP 500 with
``data: null``, evidence drafts and files.

Sources (checked 2026-12-04): Automattic/woocommerce-payments
``includes/admin/class-wc-rest-payments-disputes-controller.php`` (routes, ``submit``),
``includes/admin/class-wc-rest-payments-files-controller.php`` and
``includes/wc-payment-api/class-wc-payments-api-client.php::upload_file`` (multipart ``file``
and ``purpose``), ``includes/core/server/request/class-list-disputes.md`` (``search``), and
``WC_Payments_REST_Controller::forward_request`` (a ``WP_Error`` without data).
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from responses import matchers

from disputeflow import ActionType, Money
from disputeflow.engine.outbox import ActionInput
from disputeflow.plugins.woocommerce.disputes import dispute_snapshot
from tests.plugins.woocommerce.conftest import API, deliver_and_process, load_case
from tests.plugins.woocommerce.test_actions import (
    KEY,
    META,
    dispute_case,
    our_refund,
    refund_body,
    run,
    stored,
)
from tests.plugins.woocommerce.test_disputes import dispute, wcpay_order

SEARCH = {"pagesize": "100", "sort": "created", "direction": "desc"}


def test_an_inquiry_is_accepted_by_refunding_its_order_not_by_closing_it(runtime, connection, api):
    case = dispute_case(runtime, connection["id"], status="warning_needs_response")
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(status="warning_needs_response"))
    api.get(f"{API}/orders/123/refunds", json=[])
    api.post(
        f"{API}/orders/123/refunds",
        status=201,
        json=our_refund("20.00"),
        match=[matchers.json_params_matcher(refund_body("20.00"))],  # the whole charge
    )
    refunded = {"id": "ch_345", "refunded": True, "amount_refunded": 2000}
    closed = dispute(status="warning_closed", charge=refunded, metadata={})
    api.get(f"{API}/payments/disputes/dp_123", json=closed)
    action, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert report.succeeded == 1
    assert not [c for c in api.calls if c.request.url.endswith("/close")]
    done = stored(runtime, action["id"])
    assert done["result"]["refunded"] == {"value": "20.00", "currency": "USD"}
    after = load_case(runtime, "dp_123", "dispute")
    assert (after.status, after.outcome) == ("resolved", "buyer_favor")


def test_an_inquiry_refund_already_made_is_not_made_again(runtime, connection, api):
    case = dispute_case(runtime, connection["id"], status="warning_needs_response")
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(status="warning_needs_response"))
    api.get(f"{API}/orders/123/refunds", json=[our_refund("20.00")])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(status="warning_needs_response"))
    action, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert report.succeeded == 1
    assert [c.request.method for c in api.calls] == ["GET", "GET", "GET"]
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True


def test_a_closed_inquiry_is_never_a_merchant_win():
    closed = dispute_snapshot(dispute(status="warning_closed"))
    assert (closed.kind, closed.status, closed.outcome) == ("inquiry", "resolved", None)
    refunded = dispute_snapshot(
        dispute(status="warning_closed", charge={"id": "ch_345", "amount_refunded": 2000})
    )
    assert refunded.outcome == "buyer_favor"
    assert refunded.extra["charge_id"] == "ch_345"


def test_a_chargeback_is_still_accepted_by_closing_it(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    api.post(f"{API}/payments/disputes/dp_123/close", json=dispute(status="lost"))
    _, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert report.succeeded == 1


def test_a_dispute_is_found_by_search_on_its_charge_when_the_number_finds_none(
    client, runtime, wcpay_connection, api
):
    nothing = {"data": []}
    api.get(
        f"{API}/payments/disputes",
        json=nothing,
        match=[matchers.query_param_matcher({"search": "123", **SEARCH})],
    )
    entry = {"dispute_id": "dp_123", "charge_id": "ch_345", "status": "needs_response"}
    api.get(
        f"{API}/payments/disputes",
        json={"data": [entry]},
        match=[matchers.query_param_matcher({"search": "ch_345", **SEARCH})],
    )
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    deliver_and_process(client, runtime, wcpay_connection, wcpay_order("on-hold"))
    case = load_case(runtime, "dp_123", "dispute")
    assert case.status == "needs_response"
    assert case.extra["payment_method"] == "woocommerce_payments"
    assert case.extra["intent_id"] == "pi_3MtkICFq1WsXC8Dk1OyCBVb7"
    queries = [parse_qs(urlsplit(c.request.url).query) for c in api.calls]
    assert all("page" not in query for query in queries)  # no paging through the list


def test_an_admin_route_500_with_null_data_fails_the_action_clearly(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    refusal = {"code": "wcpay_bad_request", "message": "Dispute is already closed.", "data": None}
    api.post(f"{API}/payments/disputes/dp_123/close", status=500, json=refusal)
    action, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert (report.failed, report.retrying) == (1, 0)  # an answer, not an outage: no retry
    error = stored(runtime, action["id"])["last_error"]
    assert "WooPayments refused POST payments/disputes/dp_123/close" in error
    assert "(HTTP 500, wcpay_bad_request): Dispute is already closed." in error


def test_evidence_can_be_saved_as_a_draft(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    body = {
        "evidence": {"uncategorized_text": "Draft: tracking to follow."},
        "submit": False,
        "metadata": {META: KEY},
    }
    saved = dispute(evidence=body["evidence"])
    api.post(
        f"{API}/payments/disputes/dp_123", json=saved, match=[matchers.json_params_matcher(body)]
    )
    wanted = ActionInput(
        ActionType.CONTEST,
        message="Draft: tracking to follow.",
        params={"submit": False},
        idempotency_key=KEY,
    )
    action, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    assert "draft" in stored(runtime, action["id"])["result"]["message"]
    after = load_case(runtime, "dp_123", "dispute")
    assert after.status == "needs_response"  # a draft answers nothing yet
    assert not after.evidence  # staged fields are not submitted evidence


def test_evidence_files_are_uploaded_then_named_in_the_evidence(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    api.post(
        f"{API}/payments/file",
        json={"id": "file_1Mtk", "object": "file", "purpose": "dispute_evidence"},
        match=[matchers.multipart_matcher(
            {"file": ("label.pdf", b"%PDF-1.4 label", "application/pdf")},
            data={"purpose": "dispute_evidence"},
        )],
    )  # fmt: skip
    body = {
        "evidence": {"shipping_documentation": "file_1Mtk", "uncategorized_text": "Label."},
        "submit": True,
        "metadata": {META: KEY},
    }
    api.post(
        f"{API}/payments/disputes/dp_123",
        json=dispute(status="under_review"),
        match=[matchers.json_params_matcher(body)],
    )
    files = [{
        "document_type": "shipping_documentation", "filename": "label.pdf",
        "mimetype": "application/pdf", "data": base64.b64encode(b"%PDF-1.4 label").decode(),
    }]  # fmt: skip
    wanted = ActionInput(
        ActionType.CONTEST, message="Label.", params={"files": files}, idempotency_key=KEY
    )
    _, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        ({"document_type": "selfie", "filename": "a", "mimetype": "b", "data": "eA=="}, "selfie"),
        ({"document_type": "receipt", "filename": "a", "mimetype": "b", "data": "@@"}, "base64"),
    ],
)
def test_bad_files_fail_clearly(runtime, connection, api, upload, error):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    wanted = ActionInput(ActionType.CONTEST, params={"files": [upload]}, idempotency_key=KEY)
    action, report = run(runtime, case.id, wanted)
    assert report.succeeded == 0
    assert error in stored(runtime, action["id"])["last_error"]


def test_dispute_amounts_stay_in_minor_units():
    assert dispute_snapshot(dispute()).amount == Money("20.00", "USD")
