"""eBay as the buyer's notice channel: a Post-Order message on returns and inquiries; none
on payment disputes (the notice then goes by e-mail)."""

from __future__ import annotations

import pytest

from disputeflow import UnsupportedError
from disputeflow.engine.store.tables import ConnectionRow
from tests.plugins.ebay.conftest import deliver_object, load_case
from tests.plugins.ebay.payloads import a_dispute, a_return
from tests.plugins.ebay.test_actions import sent
from tests.webhooks.conftest import drain


@pytest.fixture
def case_of(client, runtime, shop, mocked, signing_key):
    def make(object_type, obj, external_id):
        deliver_object(client, shop, signing_key, object_type, obj, f"m-{external_id}",
                       "2026-03-10T10:00:00Z")  # fmt: skip
        assert drain(runtime) == (1, 0)
        return load_case(runtime, object_type, external_id)

    return make


def connection_of(runtime, shop):
    with runtime.database.session() as session:
        return runtime.connection(session.get(ConnectionRow, shop["id"]))


def test_a_notice_to_a_returns_buyer_is_an_ebay_message(runtime, ebay, shop, mocked, case_of):
    case = case_of("return", a_return("8107"), "8107")
    message = mocked.post("post-order/v2/return/8107/send_message", {})
    ebay.send_buyer_message(connection_of(runtime, shop), case, "Ihr Fall: ...", "key-1")
    assert sent(message.calls[0]) == {"message": {"content": "Ihr Fall: ..."}}


def test_a_payment_disputes_buyer_has_no_ebay_message(runtime, ebay, shop, mocked, case_of):
    case = case_of("payment_dispute", a_dispute("8308"), "8308")
    with pytest.raises(UnsupportedError):
        ebay.send_buyer_message(connection_of(runtime, shop), case, "hello", "key-2")
