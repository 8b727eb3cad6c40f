"""One app-level URL for the topics Shopify sends per app (the compliance topics:
shopify.dev ``apps/build/compliance/privacy-law-compliance``), routed by shop; a compliance
topic at another shop's URL reaches its own shop; ``app/uninstalled`` stops a connection.

Bodies are Shopify's documented samples (``customers_redact.json``, ``shop_redact.json``,
from the "Webhooks" reference, with the shop filled in).
"""

from __future__ import annotations

from sqlalchemy import func, select

from disputeflow.engine.store import connections as store
from disputeflow.engine.store.tables import CaseRow, DeliveryRow, PrivacyRequestRow
from disputeflow.engine.sync import run_due_syncs
from disputeflow.plugins.shopify.webhooks import signed_request
from tests.plugins.shopify.conftest import SECRET, SHOP, deliver, fixture, make_connection
from tests.webhooks.conftest import drain

SHOP_B = "acme-us.myshopify.com"
OTHER_APP_SECRET = "shpss_another_app"


def two_shops(runtime):
    """Two shops of one app: both connections hold the app's client secret."""
    return make_connection(runtime, "eu"), make_connection(runtime, "us", shop_domain=SHOP_B)


def app_post(client, topic, payload, *, shop, secret=SECRET, webhook_id="wh-app-1", url=None):
    request = signed_request(payload, secret=secret, shop=shop, topic=topic, webhook_id=webhook_id)
    return client.post(
        url or "/webhooks/shopify/app", data=request.body, headers=dict(request.headers)
    )


def dispute(order_id):
    return {**fixture("disputes_create"), "status": "needs_response", "order_id": order_id}


def case_count(runtime, connection_id):
    with runtime.database.session() as session:
        query = select(func.count()).where(CaseRow.connection_id == connection_id)
        return session.scalar(query)


def deliveries_of(runtime, connection_id):
    with runtime.database.session() as session:
        query = select(DeliveryRow.topic).where(DeliveryRow.connection_id == connection_id)
        return list(session.scalars(query))


def test_the_app_url_routes_each_shop_to_its_own_connection(app_client, runtime):
    eu, us = two_shops(runtime)
    deliver(app_client, runtime, eu, "disputes/create", {**dispute(1), "id": 11})
    deliver(app_client, runtime, us, "disputes/create", {**dispute(2), "id": 22}, shop=SHOP_B)
    redact = {**fixture("shop_redact"), "shop_domain": SHOP_B}
    response = app_post(app_client, "shop/redact", redact, shop=SHOP_B)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "accepted"
    assert drain(runtime)[1] == 0
    assert case_count(runtime, us["id"]) == 0  # shop B's data erased
    assert case_count(runtime, eu["id"]) == 1  # shop A untouched
    assert "shop/redact" in deliveries_of(runtime, us["id"])
    assert "shop/redact" not in deliveries_of(runtime, eu["id"])


def test_a_forged_app_delivery_is_refused_and_stores_nothing(app_client, runtime):
    two_shops(runtime)
    payload = {**fixture("customers_redact"), "shop_domain": SHOP}
    response = app_post(app_client, "customers/redact", payload, shop=SHOP, secret="wrong")
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_signature"
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 0


def test_a_shop_with_no_connection_is_acknowledged_with_nothing_to_erase(app_client, runtime):
    two_shops(runtime)
    payload = {**fixture("customers_redact"), "shop_domain": "gone.myshopify.com"}
    response = app_post(app_client, "customers/redact", payload, shop="gone.myshopify.com")
    assert response.status_code == 200
    assert response.get_json() == {"status": "no_connection", "account": "gone.myshopify.com"}
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(PrivacyRequestRow)) == 0


def test_a_shop_of_another_app_is_not_routed_to_this_apps_connection(app_client, runtime):
    make_connection(runtime, "eu")
    make_connection(runtime, "other-app", shop_domain=SHOP_B, client_secret=OTHER_APP_SECRET)
    payload = {**fixture("shop_redact"), "shop_domain": SHOP_B}
    response = app_post(app_client, "shop/redact", payload, shop=SHOP_B)  # signed by app 1
    assert response.get_json()["status"] == "no_connection"


def test_a_compliance_topic_for_shop_b_at_shop_as_url_reaches_shop_b(app_client, runtime):
    eu, us = two_shops(runtime)
    deliver(app_client, runtime, us, "disputes/create", dispute(2), shop=SHOP_B)
    redact = {**fixture("shop_redact"), "shop_domain": SHOP_B}
    response = app_post(
        app_client, "shop/redact", redact, shop=SHOP_B, url=f"/webhooks/shopify/{eu['id']}"
    )
    assert response.status_code == 200, response.get_json()
    drain(runtime)
    assert case_count(runtime, us["id"]) == 0
    assert deliveries_of(runtime, eu["id"]) == []
    with runtime.database.session() as session:
        assert store.get_row(session, eu["id"]).rejected_deliveries == 0


def test_a_forged_delivery_at_a_connection_url_is_still_refused(app_client, runtime):
    eu, _ = two_shops(runtime)
    redact = {**fixture("shop_redact"), "shop_domain": SHOP_B}
    response = app_post(
        app_client, "shop/redact", redact, shop=SHOP_B, secret="forged",
        url=f"/webhooks/shopify/{eu['id']}",
    )  # fmt: skip
    assert response.status_code == 401
    with runtime.database.session() as session:
        assert store.get_row(session, eu["id"]).rejected_deliveries == 1


def test_app_uninstalled_stops_the_connection_and_keeps_its_cases(app_client, runtime, api):
    eu = make_connection(runtime, "eu", access_token="shpat_x")
    deliver(app_client, runtime, eu, "disputes/create", dispute(1))
    uninstalled = {"id": 548380009, "name": "Super Toys", "domain": SHOP}  # Shop, abridged
    deliver(app_client, runtime, eu, "app/uninstalled", uninstalled)
    with runtime.database.session() as session:
        row = store.get_row(session, eu["id"])
        assert row.state == "uninstalled"
        described = runtime.describe_connection(row)
    assert described["state"] == "uninstalled"
    assert "install it again" in described["state_reason"]
    assert case_count(runtime, eu["id"]) == 1
    assert run_due_syncs(runtime) == 0  # no poll of an uninstalled shop
    assert not api.calls


def test_the_app_url_of_a_platform_without_one_is_404(app_client, runtime):
    response = app_client.post("/webhooks/fake/app", data=b"{}")
    assert response.status_code == 404
