"""Successful PayPal payments per day through Transaction Search, kept per day, for
``disputeflow_order_volume``.

``fixtures/transaction_search_response.json`` is the "List transactions" sample response of
PayPal's Transaction Search API reference
(https://developer.paypal.com/docs/api/transaction-search/v1/, checked 2026-12-05; the same
sample, word for word, in the python-paypal-api package's documentation): one completed
``T0006`` sale of USD 465.00 on 2014-07-11. The other transactions below are that documented
one with only the fields a test is about changed, each change named: its event code
(``T1107``, "Payment refund, initiated by merchant", of PayPal's transaction event codes,
https://developer.paypal.com/docs/transaction-search/transaction-event-codes/), the sign of
its amount (the same code is a debit when the account pays), or its time.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.volume import PaymentVolume, is_payment
from tests.plugins.paypal.conftest import API, TOKEN_ANSWER, fixture, paypal_settings

SEARCH = f"{API}/v1/reporting/transactions"


def documented() -> dict:
    """PayPal's sample answer, as documented."""
    return fixture("transaction_search_response.json")


def sale(**changes: object) -> dict:
    """The documented transaction, with ``changes`` to its ``transaction_info``."""
    item = copy.deepcopy(documented()["transaction_details"][0])
    item["transaction_info"].update(changes)
    return item


def amount(value: str) -> dict:
    return {"currency_code": "USD", "value": value}


def answer(*items, page: int = 1, pages: int = 1) -> dict:
    """The documented answer's envelope around ``items``."""
    body = documented()
    body.update(transaction_details=list(items), page=page, total_items=len(items))
    body["total_pages"] = pages
    return body


@pytest.fixture
def connection():
    return make_connection(PaypalMarketplace(), {**paypal_settings()}, connection_id="con_pp")


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def day(n: int) -> datetime:
    return datetime(2014, 7, n, tzinfo=UTC)


def test_the_documented_answer_counts_its_one_sale(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(SEARCH, json=documented())
    volume = PaymentVolume(lambda: datetime(2014, 8, 1, tzinfo=UTC))
    api_client = PaypalMarketplace().api(connection)
    assert volume.count(api_client, "con_pp", day(11), day(12)) == 1


def test_only_completed_payments_received_are_payments():
    assert is_payment(sale())
    assert not is_payment(sale(transaction_amount=amount("-465.00")))  # the account paid
    assert not is_payment(sale(transaction_event_code="T1107"))  # a refund
    assert not is_payment(sale(transaction_status="P"))  # pending
    assert not is_payment(sale(transaction_amount=amount("not a number")))
    assert not is_payment({"transaction_info": "not an object"})


def test_payments_received_are_counted_per_day_and_kept(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    search = api.get(
        SEARCH,
        json=answer(
            sale(),  # 2014-07-11
            sale(transaction_amount=amount("-465.00")),  # a payment the account made
            sale(transaction_event_code="T1107", transaction_amount=amount("-465.00")),
            sale(transaction_initiation_date="2014-07-12T23:30:00-0700"),  # 07-13 in UTC
        ),
    )
    volume = PaymentVolume(lambda: datetime(2014, 8, 1, tzinfo=UTC))
    api_client = PaypalMarketplace().api(connection)
    assert volume.count(api_client, "con_pp", day(11), day(14)) == 2
    assert volume.count(api_client, "con_pp", day(13), day(14)) == 1
    assert volume.count(api_client, "con_pp", day(12), day(13)) == 0
    assert len(search.calls) == 1  # the days were kept
    sent = query(search.calls[0])
    assert sent == {
        "start_date": "2014-07-11T00:00:00Z",
        "end_date": "2014-07-13T23:59:59Z",
        "transaction_status": "S",
        "fields": "transaction_info",
        "page_size": "500",
        "page": "1",
    }


def test_days_not_yet_settled_are_asked_again(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    search = api.get(SEARCH, json=documented())
    volume = PaymentVolume(lambda: datetime(2014, 7, 12, 2, tzinfo=UTC))  # less than 3 h after
    api_client = PaypalMarketplace().api(connection)
    for _ in range(2):
        assert volume.count(api_client, "con_pp", day(11), day(12)) == 1
    assert len(search.calls) == 2


def test_long_ranges_are_asked_in_windows_of_31_days_and_pages(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(SEARCH, json=answer(sale(), pages=2))
    moved = sale(transaction_initiation_date="2014-07-12T04:03:52+0000")
    api.get(SEARCH, json=answer(moved, page=2, pages=2))
    api.get(SEARCH, json=answer())
    volume = PaymentVolume(lambda: datetime(2014, 10, 1, tzinfo=UTC))
    start, end = datetime(2014, 7, 1, tzinfo=UTC), datetime(2014, 8, 15, tzinfo=UTC)
    assert volume.count(PaypalMarketplace().api(connection), "con_pp", start, end) == 2
    searches = [query(c) for c in api.calls if c.request.url.startswith(SEARCH)]
    assert [(q["start_date"], q["end_date"], q["page"]) for q in searches] == [
        ("2014-07-01T00:00:00Z", "2014-07-31T23:59:59Z", "1"),
        ("2014-07-01T00:00:00Z", "2014-07-31T23:59:59Z", "2"),
        ("2014-08-01T00:00:00Z", "2014-08-14T23:59:59Z", "1"),
    ]


def test_the_hook_answers_for_paypal_connections_only_and_none_when_paypal_fails(api):
    other = make_connection(PaypalMarketplace(), paypal_settings())
    ebay = replace(other, platform="ebay")
    assert paypal_plugin.disputeflow_order_volume(ebay, day(1), day(2)) is None
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(SEARCH, status=403, json={"name": "NOT_AUTHORIZED", "message": "Authorization failed"})
    assert paypal_plugin.disputeflow_order_volume(other, day(1), day(2)) is None


def test_a_demo_connection_counts_a_sample_and_never_calls_paypal():
    from datetime import UTC, datetime

    import responses as mocked

    from disputeflow import Connection
    from disputeflow.plugins.paypal import plugin as paypal_plugin

    demo = Connection(
        id="con_demo",
        platform="paypal",
        name="demo",
        settings={},
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        demo=True,
    )
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    with mocked.RequestsMock(assert_all_requests_are_fired=False) as api:
        count = paypal_plugin.disputeflow_order_volume(demo, start, end)
        assert len(api.calls) == 0
    assert count == 2 * paypal_plugin.DEMO_PAYMENTS_A_DAY == 100
