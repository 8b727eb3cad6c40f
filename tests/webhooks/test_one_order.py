"""One order on two channels, end to end over HTTP, on SQLite and PostgreSQL.

A WooCommerce store (the plugin, fed the WooCommerce REST docs' order 727 with a WPSwings
return request, see tests/plugins/woocommerce/fixtures/README.md) and a payment provider's
dispute of the same order (the fake marketplace of tests/fakes, carrying the order number as
a payment provider carries it in its metadata). Both arrive through the webhook intake; the
refund on the store goes through the API, the action runner and the store's REST API (behind
``responses``); the accept on the dispute is then refused for the refunded part, before any
platform call.
"""

from __future__ import annotations

import pytest
import responses
from responses import matchers

from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import Role
from disputeflow.engine.action_runner import process_actions
from disputeflow.engine.store import cases, tokens
from disputeflow.plugins.woocommerce import plugin as wc_plugin
from tests.plugins.woocommerce.conftest import (
    API,
    deliver_and_process,
    fixture,
    load_case,
    return_order,
    wc_settings,
)
from tests.webhooks.api.conftest import bearer
from tests.webhooks.conftest import SECRET, SHOP, dispute, drain, signed
from tests.webhooks.web.conftest import csrf_of, sign_in

PAYMENTS_API = "https://payments.fake.test"
REFUND_KEY = "idem-refund-727"


@pytest.fixture
def fake_plugins(plugin_manager):
    """The fake marketplace (the payment channel) and the WooCommerce plugin (the store)."""
    from tests.fakes import plugin as fake_plugin

    plugin_manager.register(fake_plugin, name="fake")
    plugin_manager.register(wc_plugin, name="woocommerce")
    return plugin_manager


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(wc_plugin.MARKETPLACE, "sleep", lambda _seconds: None)


def token(runtime, role, name):
    with runtime.database.session() as session:
        return tokens.create(session, name=name, role=Role(role)).token


@pytest.fixture
def agent(runtime):
    return bearer(token(runtime, "agent", "ana"))


@pytest.fixture
def store_return(client, runtime):
    """The store's return request for order 727 (29.35 USD), through the webhook intake."""
    shop = runtime.add_connection("woocommerce", "shop", wc_settings())
    deliver_and_process(client, runtime, shop, return_order())
    return load_case(runtime, "727", "return")


@pytest.fixture
def payment_dispute(client, runtime, store_return):
    """The payment provider's dispute of the same payment, through the webhook intake."""
    settings = {"signing_secret": SECRET, "shop": SHOP, "api_base_url": PAYMENTS_API}
    payments = runtime.add_connection("fake", "payments", settings)
    payload = dispute(
        "PP-D-5O1", amount="29.35", currency="USD", order_id="5O190127TN364715T",
        order_total="29.35", order_references=[["order_number", "727"]],
    )  # fmt: skip
    body, headers = signed(payload)
    response = client.post(f"/webhooks/fake/{payments['id']}", data=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    drain(runtime)
    return load_case(runtime, "PP-D-5O1", "dispute")


def refund_on_the_store(client, runtime, agent, case_id, amount):
    """The agent refunds through the API; the runner posts it to the store's REST API."""
    made = fixture("refund_create_response.json")
    made.update(amount=amount, meta_data=[{"id": 5, "key": "disputeflow_idempotency_key",
                                           "value": REFUND_KEY}])  # fmt: skip
    refunded = return_order(refunds=[{"id": 726, "reason": "", "total": f"-{amount}"}])
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(f"{API}/orders/727/refunds", json=[])
        api.post(
            f"{API}/orders/727/refunds",
            status=201,
            json=made,
            match=[matchers.json_params_matcher({"amount": amount}, strict_match=False)],
        )
        api.get(f"{API}/orders/727", json=refunded)
        response = client.post(
            f"/api/v1/cases/{case_id}/actions",
            headers={**agent, "Idempotency-Key": REFUND_KEY},
            json={"type": "refund", "amount": {"value": amount, "currency": "USD"},
                  "message": "Refund for the returned item"},
        )  # fmt: skip
        assert response.status_code == 202, response.get_json()
        assert process_actions(runtime, now=utcnow()).succeeded == 1


def test_a_refund_on_the_store_refuses_the_accept_on_the_payment_dispute(
    client, runtime, agent, store_return, payment_dispute
):
    # linked at ingest, both ways, with the identifier that matched
    [link] = payment_dispute.links
    assert (link.case_id, link.reason) == (store_return.id, "order_number 727 matches")
    assert [x.case_id for x in load_case(runtime, "727", "return").links] == [payment_dispute.id]
    page = client.get("/api/v1/cases", headers=agent, query_string={"order": "727"})
    assert sorted(item["id"] for item in page.get_json()["items"]) == sorted(
        [store_return.id, payment_dispute.id]
    )
    detail = client.get(f"/api/v1/cases/{payment_dispute.id}", headers=agent).get_json()
    assert detail["order"]["references"] == [{"kind": "order_number", "value": "727"}]
    assert detail["links"][0]["case_id"] == store_return.id

    refund_on_the_store(client, runtime, agent, store_return.id, "10.00")
    assert load_case(runtime, "727", "return").refunded.to_dict() == {
        "value": "10.00",
        "currency": "USD",
    }
    shown = [e for e in load_case(runtime, "PP-D-5O1", "dispute").timeline
             if e.kind == "linked_refund"]  # fmt: skip
    assert [e.data["refunded"] for e in shown] == [{"value": "10.00", "currency": "USD"}]

    with responses.RequestsMock(assert_all_requests_are_fired=False) as platform:
        response = client.post(
            f"/api/v1/cases/{payment_dispute.id}/actions",
            headers=agent,
            json={"type": "accept", "rationale": "The buyer is right"},
        )
        assert len(platform.calls) == 0  # refused before any platform call
    assert response.status_code == 409
    error = response.get_json()
    assert error["code"] == "action_not_allowed"
    assert "at most 19.35 USD" in error["message"]
    assert error["errors"] == {"amount": ["exceeds what is left of the order's total (19.35 USD)"]}
    actions = client.get(f"/api/v1/cases/{payment_dispute.id}/actions", headers=agent)
    assert actions.get_json()["items"] == []
    assert process_actions(runtime, now=utcnow()).handled == 0  # nothing was queued


def test_agents_unlink_and_link_through_the_api_with_reasons(
    client, runtime, agent, store_return, payment_dispute
):
    url = f"/api/v1/cases/{payment_dispute.id}/links"
    body = {"case_id": store_return.id, "reason": "A different store's order 727"}
    assert client.delete(url, headers=agent, json=body).status_code == 204
    assert client.get(url, headers=agent).get_json() == {"items": [], "next_cursor": None}
    store = client.get(f"/api/v1/cases/{store_return.id}/timeline", headers=agent).get_json()
    assert store["items"][-1]["kind"] == "unlinked"
    assert store["items"][-1]["summary"].endswith("by ana: A different store's order 727")
    assert client.delete(url, headers=agent, json=body).status_code == 404
    missing = client.post(url, headers=agent, json={"case_id": store_return.id})
    assert missing.status_code == 422
    assert "reason" in str(missing.get_json()["errors"])
    again = client.post(url, headers=agent, json={**body, "reason": "It was ours after all"})
    assert again.status_code == 201
    assert again.get_json()["reason"] == "linked by ana: It was ours after all"
    assert again.get_json()["by"] == "ana"
    assert client.post(url, headers=agent, json=body).status_code == 200  # already linked
    viewer = bearer(token(runtime, "viewer", "vi"))
    assert client.post(url, headers=viewer, json=body).status_code == 403


def test_the_workspace_lists_the_linked_case_and_links_and_unlinks(
    app, runtime, store_return, payment_dispute
):
    browser = app.test_client()
    assert sign_in(browser, token(runtime, "agent", "agent-person")).status_code == 302
    page = browser.get(f"/workspace/cases/{payment_dispute.id}")
    assert page.status_code == 200
    html = page.text
    assert f"/workspace/cases/{store_return.id}" in html
    assert "order_number 727 matches" in html
    assert "Order total $29.35" in html
    form = {"csrf_token": csrf_of(html), "other_case_id": store_return.id, "reason": ""}
    refused = browser.post(f"/workspace/cases/{payment_dispute.id}/links/remove", data=form)
    assert refused.status_code == 422
    assert "say why" in refused.text
    form["reason"] = "Not our order"
    done = browser.post(f"/workspace/cases/{payment_dispute.id}/links/remove", data=form)
    assert done.status_code == 302
    with runtime.database.session() as session:
        assert cases.get(session, store_return.id).links == []
    form.update(reason="Same buyer, same parcel", other_case_id=payment_dispute.id)
    linked = browser.post(f"/workspace/cases/{store_return.id}/links", data=form)
    assert linked.status_code == 302
    with runtime.database.session() as session:
        [link] = cases.get(session, payment_dispute.id).links
    assert (link.case_id, link.by) == (store_return.id, "agent-person")
