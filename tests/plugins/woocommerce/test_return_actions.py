"""Approving and declining returns through the WPSwings plugin's REST routes.

Routes and answers from wpswings/woo-refund-and-exchange-lite at commit 38c76d7f (v4.5.2),
``package/rest-api/class-woo-refund-and-exchange-lite-rest-api.php`` and
``package/rest-api/version1/class-woo-refund-and-exchange-lite-api-process.php``.
"""

from __future__ import annotations

import copy

import pytest
from responses import matchers

from disputeflow import ActionNotAllowedError, ActionType
from disputeflow.engine.outbox import ActionInput, request_action
from tests.plugins.woocommerce.conftest import (
    API,
    STORE,
    deliver_and_process,
    fixture,
    load_case,
    wc_settings,
)
from tests.plugins.woocommerce.test_actions import KEY, run, stored

RMA_SECRET = "wps-rma-secret-1234"
ACCEPT = f"{STORE}/wp-json/rma/refund-request-accept"
CANCEL = f"{STORE}/wp-json/rma/refund-request-cancel"


def wps_order(status="return-requested", request_status="pending", **changes):
    """The WPSwings 4.5 fixture order, its request moved to ``request_status``."""
    payload = copy.deepcopy(fixture("wpswings_4_5_order.json"))
    payload["status"] = status
    for meta in payload["meta_data"]:
        if meta["key"] == "wps_rma_return_product":
            for request in meta["value"].values():
                request["status"] = request_status
    payload.update(changes)
    return payload


@pytest.fixture
def rma_connection(runtime):
    return runtime.add_connection("woocommerce", "rma", wc_settings(wpswings_secret_key=RMA_SECRET))


@pytest.fixture
def wps_case(client, runtime, rma_connection):
    deliver_and_process(client, runtime, rma_connection, wps_order())
    case = load_case(runtime, "727", "return")
    assert case.extra["returns_plugin"] == "wpswings"
    return case


def test_approving_a_return_calls_the_plugins_accept_route(runtime, wps_case, api):
    api.get(f"{API}/orders/727", json=wps_order())
    api.post(
        ACCEPT,
        json={"status": 200, "data": "Return request accepted successfully."},
        match=[matchers.json_params_matcher({"order_id": "727", "secret_key": RMA_SECRET})],
    )
    approved = wps_order("return-approved", "complete", date_modified_gmt="2017-03-24T10:00:00")
    api.get(f"{API}/orders/727", json=approved)
    action, report = run(
        runtime, wps_case.id, ActionInput(ActionType.APPROVE_RETURN, idempotency_key=KEY)
    )
    assert report.succeeded == 1
    rma_call = next(c for c in api.calls if c.request.url == ACCEPT)
    assert "Authorization" not in rma_call.request.headers  # WooCommerce keys stay home
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("awaiting_buyer", None)  # approved, not refunded
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is False


def test_declining_a_return_calls_the_cancel_route(runtime, wps_case, api):
    api.get(f"{API}/orders/727", json=wps_order())
    api.post(CANCEL, json={"status": 200, "data": "Return request cancelled successfully."})
    cancelled = wps_order("return-cancelled", "cancel", date_modified_gmt="2017-03-24T10:00:00")
    api.get(f"{API}/orders/727", json=cancelled)
    _, report = run(
        runtime, wps_case.id, ActionInput(ActionType.DECLINE_RETURN, idempotency_key=KEY)
    )
    assert report.succeeded == 1
    case = load_case(runtime, "727", "return")
    assert (case.status, case.outcome) == ("resolved", "withdrawn")


def test_an_approval_already_made_is_not_sent_again(runtime, wps_case, api):
    approved = wps_order("return-approved", "complete")
    api.get(f"{API}/orders/727", json=approved)
    api.get(f"{API}/orders/727", json=approved)
    action, report = run(
        runtime, wps_case.id, ActionInput(ActionType.APPROVE_RETURN, idempotency_key=KEY)
    )
    assert report.succeeded == 1
    assert all(call.request.method == "GET" for call in api.calls)
    assert stored(runtime, action["id"])["result"]["data"]["recovered"] is True


def test_the_plugins_refusal_fails_the_action_in_its_words(runtime, wps_case, api):
    api.get(f"{API}/orders/727", json=wps_order())
    refusal = {"status": 404, "data": "Some problem occurred while accepting the refund request."}
    api.post(ACCEPT, status=404, json=refusal)
    action, report = run(
        runtime, wps_case.id, ActionInput(ActionType.APPROVE_RETURN, idempotency_key=KEY)
    )
    assert report.failed == 1
    assert "Some problem occurred while accepting" in stored(runtime, action["id"])["last_error"]


def test_without_the_plugins_secret_the_action_says_what_to_set(client, runtime, connection, api):
    deliver_and_process(client, runtime, connection, wps_order())
    case = load_case(runtime, "727", "return")
    action, report = run(
        runtime, case.id, ActionInput(ActionType.APPROVE_RETURN, idempotency_key=KEY)
    )
    assert report.failed == 1
    assert "set wpswings_secret_key" in stored(runtime, action["id"])["last_error"]
    assert len(api.calls) == 0


def test_an_old_plugin_version_has_no_routes_and_is_refused_before_queueing(
    client, runtime, rma_connection
):
    deliver_and_process(client, runtime, rma_connection, fixture("mwb_rma_order.json"))
    case = load_case(runtime, "727", "return")
    wanted = ActionInput(ActionType.DECLINE_RETURN, idempotency_key=KEY)
    with pytest.raises(ActionNotAllowedError, match=r"predates WPSwings 4\.0"):
        request_action(runtime, case.id, wanted)


def test_a_return_marked_by_status_only_cannot_be_approved_here(client, runtime, rma_connection):
    order = copy.deepcopy(fixture("order_retrieve_response.json"))
    order["status"] = "return-requested"
    deliver_and_process(client, runtime, rma_connection, order)
    case = load_case(runtime, "727", "return")
    wanted = ActionInput(ActionType.APPROVE_RETURN, idempotency_key=KEY)
    with pytest.raises(ActionNotAllowedError, match="not recorded by the WPSwings"):
        request_action(runtime, case.id, wanted)
