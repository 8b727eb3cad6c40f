"""The buyer's side of a WooCommerce store: proving an order for the request form
(``find_order``), and customer notes as the buyer's notice channel."""

from __future__ import annotations

from dataclasses import replace

import pytest
from responses import matchers

from disputeflow import Money
from disputeflow.core.clock import utcnow
from disputeflow.core.marketplace import Connection
from disputeflow.core.testing import minimal_case
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.features.notices.outbox import process_notices
from disputeflow.plugins.woocommerce import plugin as wc_plugin
from disputeflow.plugins.woocommerce.buyers import note_marker
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES
from disputeflow.plugins.woocommerce.returns import return_snapshot
from disputeflow.plugins.woocommerce.samples import return_request_meta
from tests.plugins.woocommerce.conftest import API, NOW, order, wc_settings
from tests.servers import Mailbox

MARKET = wc_plugin.MARKETPLACE


@pytest.fixture
def store():
    return Connection("con_wc", "woocommerce", "shop", MARKET.validate_settings(wc_settings()), NOW)


def test_an_order_is_found_by_its_id_and_email_without_case(store, api):
    api.get(f"{API}/orders/727", json=order())
    found = MARKET.find_order(store, "#727", "John.Doe@Example.com")
    assert found.order.external_id == "727"
    assert found.order.name == "#727"
    assert found.order.total == Money("29.35", "USD")
    assert (found.buyer.email, found.buyer.country) == ("john.doe@example.com", "US")


def test_another_email_finds_nothing(store, api):
    api.get(f"{API}/orders/727", json=order())
    assert MARKET.find_order(store, "727", "someone@example.com") is None


def test_sequential_numbers_are_searched(store, api):
    api.get(
        f"{API}/orders",
        json=[order(id=800, number="WC-800X"), order(id=801, number="WC-800")],
        match=[matchers.query_param_matcher({"search": "WC-800"}, strict_match=False)],
    )
    found = MARKET.find_order(store, "WC-800", "john.doe@example.com")
    assert found.order.external_id == "801"  # the exact number, not the one it contains


def test_an_unknown_id_falls_back_to_the_search(store, api):
    api.get(f"{API}/orders/999", status=404,
            json={"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.",
                  "data": {"status": 404}})  # fmt: skip
    api.get(f"{API}/orders", json=[])
    assert MARKET.find_order(store, "999", "john.doe@example.com") is None


def test_a_notice_is_a_customer_note_sent_once(store, api):
    case = replace(minimal_case("woocommerce", "return"), external_id="727")
    tag = note_marker("case:step:key:buyer")
    api.get(f"{API}/orders/727/notes", json=[])
    api.post(f"{API}/orders/727/notes", status=201, json={"id": 301, "note": "x"},
             match=[matchers.json_params_matcher({"note": f"Hello\n\n{tag}",
                                                  "customer_note": True})])  # fmt: skip
    assert MARKET.send_buyer_message(store, case, "Hello", "case:step:key:buyer") == "301"
    api.get(f"{API}/orders/727/notes", json=[{"id": 301, "note": f"Hello\n\n{tag}"}])
    assert MARKET.send_buyer_message(store, case, "Hello", "case:step:key:buyer") == "301"
    assert [c.request.method for c in api.calls] == ["GET", "POST", "GET"]  # no second note


def test_the_buyers_notice_goes_as_a_customer_note_not_by_mail(runtime, connection, api):
    today = utcnow().strftime("%d-%m-%Y")
    fresh = order(status="return-requested", meta_data=return_request_meta(date=today),
                  date_modified_gmt=utcnow().strftime("%Y-%m-%dT%H:%M:%S"))  # fmt: skip
    snapshot = return_snapshot(fresh, DEFAULT_RETURN_STATUSES)
    ingest_snapshot(runtime.database, runtime.plugins, connection["id"], snapshot)
    api.get(f"{API}/orders/727/notes", json=[])
    api.post(f"{API}/orders/727/notes", status=201, json={"id": 302, "note": "x"})
    with Mailbox() as box:
        notices = NoticeSettings(smtp_host="127.0.0.1", smtp_port=box.port, smtp_security="none",
                                 merchant_email="ops@example.org")  # fmt: skip
        runtime.settings = replace(runtime.settings, notices=notices)
        report = process_notices(runtime)
        assert report.sent == 2
        assert [m["To"] for m in box.messages] == ["ops@example.org"]  # the buyer: a note
    note = api.calls[-1].request.body.decode()
    assert "Case opened for order #727" in note
    assert "/buyer/cases/" in note
