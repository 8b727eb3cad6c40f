"""One order on two channels with a real payment plugin: a PayPal dispute and a WooCommerce
return of order 727, both through the webhook intake, on SQLite and PostgreSQL.

The PayPal dispute is PayPal's documented ``CUSTOMER.DISPUTE.CREATED`` event
(tests/plugins/paypal/fixtures/dispute_created_event.json, see that folder's README) with the
disputed transaction's ``invoice_number`` set to the store's order number and its amounts to
the order's total, as a WooCommerce store taking PayPal payments sends them; it is signed with
the test certificate PayPal's certificate URL serves in these tests. The store's side is the
WooCommerce plugin fed the WooCommerce REST docs' order 727 with a return request (as in
test_one_order.py). A refund on the store then refuses PayPal's accept-claim for the part
already refunded, before any call to PayPal.
"""

# Fixtures are imported from the two plugins' test folders and used by name.
# ruff: noqa: F401, F811

from __future__ import annotations

import copy

import pytest
import responses

from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.woocommerce import plugin as wc_plugin
from tests.plugins.paypal.conftest import (
    clock,
    fixture,
    fresh_tokens,
    paypal_settings,
    serve_certificate,
    signed,
    verifier,
)
from tests.plugins.woocommerce.conftest import load_case as load_store_case
from tests.webhooks.conftest import drain
from tests.webhooks.test_one_order import (
    agent,
    no_sleep,
    refund_on_the_store,
    store_return,
)


@pytest.fixture
def fake_plugins(plugin_manager, verifier):
    """PayPal (the payment channel) and WooCommerce (the store), as their entry points do."""
    plugin_manager.register(paypal_plugin, name="paypal")
    plugin_manager.register(wc_plugin, name="woocommerce")
    return plugin_manager


@pytest.fixture
def paypal_dispute(client, runtime, store_return):
    """PayPal's documented dispute, for order 727's payment (29.35 USD)."""
    paypal = runtime.add_connection("paypal", "paypal", paypal_settings())
    event = copy.deepcopy(fixture("dispute_created_event.json"))
    resource = event["resource"]
    resource["dispute_amount"] = {"currency_code": "USD", "value": "29.35"}
    transaction = resource["disputed_transactions"][0]
    transaction["invoice_number"] = "727"
    transaction["gross_amount"] = {"currency_code": "USD", "value": "29.35"}
    request = signed(event)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        serve_certificate(api)
        response = client.post(
            f"/webhooks/paypal/{paypal['id']}", data=request.body, headers=dict(request.headers)
        )
    assert response.status_code == 200, response.get_json()
    drain(runtime)
    return load_store_case(runtime, resource["dispute_id"], "dispute")


def test_a_refund_on_the_store_refuses_paypals_accept_claim_for_the_refunded_part(
    client,
    runtime,
    agent,
    store_return,
    paypal_dispute,
):
    [link] = paypal_dispute.links
    assert (link.case_id, link.reason) == (store_return.id, "order_number 727 matches")
    refund_on_the_store(client, runtime, agent, store_return.id, "10.00")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as paypal_api:
        response = client.post(
            f"/api/v1/cases/{paypal_dispute.id}/actions",
            headers=agent,
            json={"type": "accept", "rationale": "The buyer is right"},
        )
        assert len(paypal_api.calls) == 0, "refused before any call to PayPal"
    assert response.status_code == 409
    error = response.get_json()
    assert error["code"] == "action_not_allowed"
    assert "at most 19.35 USD" in error["message"]
