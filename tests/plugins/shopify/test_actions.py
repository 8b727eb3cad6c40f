"""Actions through the outbox: request_action, then process_actions, against mocked Shopify."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from disputeflow import ActionNotAllowedError, Money
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import actions as action_store
from tests.plugins.shopify.conftest import REST, deliver, fixture, graphql_router, load_case
from tests.plugins.shopify.returns_data import RETURN_ID, return_node

NOW = datetime(2026, 3, 5, 12, tzinfo=UTC)
DISPUTE = "598735659"
EVIDENCE = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_evidences.json"
UPLOADS = f"{REST}/shopify_payments/disputes/{DISPUTE}/dispute_file_uploads.json"
ORDER_GID = "gid://shopify/Order/625362839"


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
