"""Merchant actions on WooCommerce cases: queued through the outbox, run by the action
runner, checked request by request."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from responses import matchers

from disputeflow import ActionNotAllowedError, ActionType, Evidence, Money
from disputeflow.core.clock import utcnow
from disputeflow.engine import action_runner
from disputeflow.engine.action_runner import LEASE, process_actions
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions
from disputeflow.plugins.woocommerce.disputes import dispute_snapshot
from tests.plugins.woocommerce.conftest import (
    API,
    deliver_and_process,
    fixture,
    load_case,
    return_order,
    wc_settings,
)
from tests.plugins.woocommerce.test_disputes import dispute

KEY = "idem-wc-1"
META = "disputeflow_idempotency_key"


class ProcessDied(BaseException):
    """The worker process dying between the platform call and the commit."""


@pytest.fixture
def return_case(client, runtime, connection):
    deliver_and_process(client, runtime, connection, return_order())
    return load_case(runtime, "727", "return")


def dispute_case(runtime, connection_id, **changes):
    snapshot = dispute_snapshot(dispute(**changes))
    return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snapshot).case


def run(runtime, case_id, wanted, *, now=None):
    action, created = request_action(runtime, case_id, wanted)
    assert created
    report = process_actions(runtime, now=now or utcnow())
    return action, report


def stored(runtime, action_id):
    with runtime.database.session() as session:
        return actions.describe(actions.get(session, action_id))


def refund_body(amount, reason=None, *, api_refund=True, key=KEY):
    """The refund request: the merchant's text alone as the reason (the customer reads it),
    the idempotency key in the refund's meta (WooCommerce REST docs: refund ``meta_data``)."""
    body = {"amount": amount, "api_refund": api_refund, "meta_data": [{"key": META, "value": key}]}
    if reason is not None:
        body["reason"] = reason
    return body


def our_refund(amount="10.00", key=KEY, refund_id=726):
    made = fixture("refund_create_response.json")
    made.update(
        id=refund_id,
        amount=amount,
        reason="Damaged",
        meta_data=[{"id": 5, "key": META, "value": key}],
    )
    return made


def refund_input(value="10.00", currency="USD", message="Damaged", **options):
    return ActionInput(
        ActionType.REFUND,
        amount=Money(value, currency),
        message=message,
        idempotency_key=KEY,
        **options,
    )


def test_a_refund_is_posted_with_the_key_and_the_exact_amount(runtime, return_case, api):
    api.get(f"{API}/orders/727/refunds", json=fixture("refund_list_response.json"))
    api.post(
        f"{API}/orders/727/refunds",
        status=201,
        json=our_refund(),
        match=[matchers.json_params_matcher(refund_body("10.00", "Damaged"))],
    )
    api.get(f"{API}/orders/727", json=return_order())
    action, report = run(runtime, return_case.id, refund_input())
    assert report.succeeded == 1
    done = stored(runtime, action["id"])
    assert (done["status"], done["external_id"], done["idempotency_key"]) == (
        "succeeded",
        "726",
        KEY,
    )
    assert done["result"]["refunded"] == {"value": "10.00", "currency": "USD"}
    assert done["result"]["data"] == {"order_id": "727", "recovered": False}
    assert "action_succeeded" in [e.kind for e in load_case(runtime, "727", "return").timeline]


def test_refunds_in_a_jpy_store_send_whole_yen_and_may_skip_the_gateway(client, runtime, api):
    shop = runtime.add_connection("woocommerce", "jp", wc_settings(api_refund="false"))
    payload = return_order(currency="JPY", total="4800", meta_data=[])
    deliver_and_process(client, runtime, shop, payload)
    case = load_case(runtime, "727", "return")
    api.get(f"{API}/orders/727/refunds", json=[])
    api.post(
        f"{API}/orders/727/refunds",
        status=201,
        json=our_refund("1200"),
        match=[matchers.json_params_matcher(refund_body("1200", api_refund=False))],
    )
    api.get(f"{API}/orders/727", json=payload)
    wanted = ActionInput(ActionType.REFUND, amount=Money("1200", "JPY"), idempotency_key=KEY)
    action, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["result"]["refunded"] == {
        "value": "1200",
        "currency": "JPY",
    }


def test_line_items_and_restock_go_along(runtime, return_case, api):
    line_items = [{"id": 315, "quantity": 1, "refund_total": "6.00"}]
    body = {**refund_body("6.00", "Damaged"), "line_items": line_items, "api_restock": True}
    api.get(f"{API}/orders/727/refunds", json=[])
    api.post(
        f"{API}/orders/727/refunds",
        status=201,
        json=our_refund("6.00"),
        match=[matchers.json_params_matcher(body)],
    )
    api.get(f"{API}/orders/727", json=return_order())
    wanted = refund_input("6.00", params={"line_items": line_items, "restock": True})
    assert run(runtime, return_case.id, wanted)[1].succeeded == 1


def test_a_full_refund_resolves_the_return_at_once(runtime, return_case, api):
    api.get(f"{API}/orders/727/refunds", json=[])
    api.post(f"{API}/orders/727/refunds", status=201, json=our_refund("29.35"))
    refunds = [{"id": 726, "reason": "Damaged", "total": "-29.35"}]
    api.get(
        f"{API}/orders/727",
        json=return_order(
            status="refunded", refunds=refunds, date_modified_gmt="2017-03-26T10:00:00"
        ),
    )
    run(runtime, return_case.id, refund_input("29.35"))
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "buyer_favor")
    assert case.refunded == Money("29.35", "USD")


def test_a_crash_between_the_refund_and_the_commit_never_refunds_twice(
    runtime, return_case, api, monkeypatch
):
    api.get(f"{API}/orders/727/refunds", json=fixture("refund_list_response.json"))
    api.get(f"{API}/orders/727/refunds", json=[our_refund(), *fixture("refund_list_response.json")])
    api.post(f"{API}/orders/727/refunds", status=201, json=our_refund())
    api.get(f"{API}/orders/727", json=return_order())
    action, _ = request_action(runtime, return_case.id, refund_input())
    t0 = utcnow()

    def die(*args, **kwargs):
        raise ProcessDied

    monkeypatch.setattr(action_runner, "record_success", die)
    with pytest.raises(ProcessDied):
        process_actions(runtime, now=t0)
    monkeypatch.undo()
    assert stored(runtime, action["id"])["status"] == "running"
    assert process_actions(runtime, now=t0 + LEASE - timedelta(seconds=1)).handled == 0

    report = process_actions(runtime, now=t0 + LEASE + timedelta(seconds=1))

    assert report.succeeded == 1
    posts = [c for c in api.calls if c.request.method == "POST"]
    assert len(posts) == 1
    assert json.loads(posts[0].request.body)["reason"] == "Damaged"  # no marker for the buyer
    done = stored(runtime, action["id"])
    assert (done["status"], done["attempts"], done["external_id"]) == ("succeeded", 2, "726")
    assert done["result"]["data"]["recovered"] is True


def test_a_refund_of_an_earlier_version_is_recognised_by_its_old_reason_marker(
    runtime, return_case, api
):
    ours = {**our_refund(), "reason": f"Damaged [disputeflow {KEY}]", "meta_data": []}
    api.get(f"{API}/orders/727/refunds", json=[ours])
    api.get(f"{API}/orders/727", json=return_order())
    action, report = run(runtime, return_case.id, refund_input())
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True


def test_the_gateway_refusal_fails_the_action_clearly(runtime, return_case, api):
    api.get(f"{API}/orders/727/refunds", json=[])
    api.post(
        f"{API}/orders/727/refunds",
        status=500,
        json=fixture("error_woocommerce_rest_cannot_create_order_refund.json"),
    )
    action, report = run(runtime, return_case.id, refund_input())
    assert report.failed == 1
    failed = stored(runtime, action["id"])
    assert failed["status"] == "failed"
    assert "does not support automatic refunds" in failed["last_error"]
    assert "woocommerce_rest_cannot_create_order_refund" in failed["last_error"]
    assert "api_refund=false" in failed["last_error"]
    assert "action_failed" in [e.kind for e in load_case(runtime, "727", "return").timeline]


def test_a_rate_limited_refund_is_retried_later_and_checked_first(runtime, return_case, api):
    api.get(f"{API}/orders/727/refunds", json=[])
    api.post(f"{API}/orders/727/refunds", status=429, headers={"Retry-After": "30"}, json={})
    api.post(f"{API}/orders/727/refunds", status=201, json=our_refund())
    api.get(f"{API}/orders/727", json=return_order())
    action, _ = request_action(runtime, return_case.id, refund_input())
    t0 = utcnow()
    report = process_actions(runtime, now=t0)
    assert report.retrying == 1
    waiting = stored(runtime, action["id"])
    assert waiting["status"] == "pending"
    assert "HTTP 429" in waiting["last_error"]
    assert process_actions(runtime, now=t0 + timedelta(seconds=20)).handled == 0
    assert process_actions(runtime, now=t0 + timedelta(seconds=31)).succeeded == 1
    reads = [c for c in api.calls if c.request.method == "GET" and "/refunds" in c.request.url]
    assert len(reads) == 2  # the store was read before each attempt


def test_a_message_is_a_note_the_customer_sees(runtime, return_case, api):
    api.get(
        f"{API}/orders/727/notes",
        json=fixture("order_notes_list_response.json"),
        match=[matchers.query_param_matcher({"type": "customer"}, strict_match=False)],
    )
    note = {**fixture("order_note_create_response.json"), "customer_note": True}
    text = "We received your return request and will refund you within 14 days."
    api.post(
        f"{API}/orders/727/notes",
        status=201,
        json=note,
        match=[matchers.json_params_matcher({"note": text, "customer_note": True})],
    )
    wanted = ActionInput(ActionType.SEND_MESSAGE, message=text, idempotency_key=KEY)
    action, report = run(runtime, return_case.id, wanted)
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["external_id"] == "281"


def test_a_message_already_on_the_order_is_not_sent_again(runtime, return_case, api):
    api.get(f"{API}/orders/727/notes", json=fixture("order_notes_list_response.json"))
    wanted = ActionInput(ActionType.SEND_MESSAGE, message="Order ok!!!", idempotency_key=KEY)
    action, report = run(runtime, return_case.id, wanted)
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True
    assert all(call.request.method == "GET" for call in api.calls)


def test_accepting_a_dispute_closes_it(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    closed = dispute(
        status="lost", metadata={"__closed_by_merchant": "1", "__dispute_closed_at": "1681000000"}
    )
    api.post(f"{API}/payments/disputes/dp_123/close", json=closed)
    action, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["external_id"] == "dp_123"
    after = load_case(runtime, "dp_123", "dispute")
    assert (after.status, after.outcome) == ("resolved", "buyer_favor")


def test_an_accept_the_store_already_did_is_not_repeated(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(
        f"{API}/payments/disputes/dp_123",
        json=dispute(status="lost", metadata={"__closed_by_merchant": "1"}),
    )
    action, report = run(runtime, case.id, ActionInput(ActionType.ACCEPT, idempotency_key=KEY))
    assert report.succeeded == 1
    assert len(api.calls) == 1
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True


def test_contesting_submits_the_evidence(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    at = utcnow()
    evidence = (
        Evidence("e1", "merchant", "shipping_tracking_number", at, "1Z999AA10123456784"),
        Evidence("e2", "merchant", "shipping_carrier", at, "UPS"),
        Evidence(
            "e3",
            "merchant",
            "photo",
            at,
            "Parcel at the door",
            url="https://files.example/door.jpg",
        ),
    )
    message = "Delivered on 2023-04-02, signed for by the buyer."
    submitted = {
        "shipping_tracking_number": "1Z999AA10123456784",
        "shipping_carrier": "UPS",
        "uncategorized_text": f"{message}\n\nphoto: Parcel at the door "
        "https://files.example/door.jpg",
    }
    body = {"evidence": submitted, "submit": True, "metadata": {META: KEY}}
    api.get(f"{API}/payments/disputes/dp_123", json=dispute())
    answered = dispute(
        status="under_review",
        evidence=submitted,
        metadata={"__evidence_submitted_at": "1680900000"},
    )
    api.post(
        f"{API}/payments/disputes/dp_123", json=answered, match=[matchers.json_params_matcher(body)]
    )
    wanted = ActionInput(
        ActionType.CONTEST, message=message, evidence=evidence, idempotency_key=KEY
    )
    _, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    after = load_case(runtime, "dp_123", "dispute")
    assert after.status == "under_review"
    assert {e.kind for e in after.evidence} == set(submitted)


def test_evidence_already_submitted_is_not_submitted_again(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(
        f"{API}/payments/disputes/dp_123",
        json=dispute(status="under_review", metadata={"__evidence_submitted_at": "1680900000"}),
    )
    wanted = ActionInput(ActionType.CONTEST, message="Proof.", idempotency_key=KEY)
    action, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    assert len(api.calls) == 1
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True


def test_a_contest_without_evidence_is_refused_before_it_is_queued(runtime, connection):
    case = dispute_case(runtime, connection["id"])
    with pytest.raises(ActionNotAllowedError, match="needs evidence or a message"):
        request_action(runtime, case.id, ActionInput(ActionType.CONTEST))


def test_contesting_a_dispute_closed_meanwhile_fails_clearly(runtime, connection, api):
    case = dispute_case(runtime, connection["id"])
    api.get(f"{API}/payments/disputes/dp_123", json=dispute(status="lost"))
    wanted = ActionInput(ActionType.CONTEST, message="Proof attached.", idempotency_key=KEY)
    action, report = run(runtime, case.id, wanted)
    assert report.failed == 1
    assert "is lost on WooPayments" in stored(runtime, action["id"])["last_error"]


def test_refunding_an_inquiry_refunds_its_order(runtime, connection, api):
    case = dispute_case(runtime, connection["id"], status="warning_needs_response")
    api.get(f"{API}/orders/123/refunds", json=[])
    api.post(
        f"{API}/orders/123/refunds",
        status=201,
        json=our_refund("20.00"),
        match=[matchers.json_params_matcher(refund_body("20.00"))],
    )
    wanted = ActionInput(ActionType.REFUND, amount=Money("20.00", "USD"), idempotency_key=KEY)
    action, report = run(runtime, case.id, wanted)
    assert report.succeeded == 1
    assert stored(runtime, action["id"])["result"]["data"]["order_id"] == "123"
