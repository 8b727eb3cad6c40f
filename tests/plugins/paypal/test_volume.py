"""Successful PayPal payments per day through Transaction Search, kept per day, for
``disputeflow_order_volume``.

The search answers below have the fields of PayPal's ``search_response`` and
``transaction_info`` (https://docs.paypal.ai/reference/api/rest/transactions/list-transactions
and paypal-rest-api-specifications ``reporting_transactions_v1.json``, checked 2026-12-04);
PayPal publishes no filled-in example, so the values are made up in those shapes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from disputeflow.core.testing import make_connection
from disputeflow.plugins.paypal import plugin as paypal_plugin
from disputeflow.plugins.paypal.marketplace import PaypalMarketplace
from disputeflow.plugins.paypal.volume import PaymentVolume
from tests.plugins.paypal.conftest import API, TOKEN_ANSWER, paypal_settings

SEARCH = f"{API}/v1/reporting/transactions"


def transaction(code: str, value: str, at: str, status: str = "S") -> dict:
    return {
        "transaction_info": {
            "paypal_account_id": "6STWC2LSUYYYE",
            "transaction_id": "5TY05013RG002845M",
            "transaction_event_code": code,
            "transaction_initiation_date": at,
            "transaction_updated_date": at,
            "transaction_amount": {"currency_code": "USD", "value": value},
            "transaction_status": status,
        }
    }


def answer(*items, page: int = 1, pages: int = 1) -> dict:
    return {
        "transaction_details": list(items),
        "account_number": "XZXSPECPDZHZU",
        "page": page,
        "total_items": len(items),
        "total_pages": pages,
    }


@pytest.fixture
def connection():
    return make_connection(PaypalMarketplace(), {**paypal_settings()}, connection_id="con_pp")


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def day(n: int) -> datetime:
    return datetime(2025, 9, n, tzinfo=UTC)


def test_payments_received_are_counted_per_day_and_kept(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    search = api.get(
        SEARCH,
        json=answer(
            transaction("T0006", "25.00", "2025-09-01T10:00:00+0000"),
            transaction(
                "T0006", "-25.00", "2025-09-01T11:00:00+0000"
            ),  # a payment the account made
            transaction("T1107", "-5.00", "2025-09-01T12:00:00+0000"),  # a refund
            transaction("T0005", "9.99", "2025-09-02T23:30:00-0700"),  # 2025-09-03 in UTC
        ),
    )
    volume = PaymentVolume(lambda: datetime(2025, 10, 1, tzinfo=UTC))
    api_client = PaypalMarketplace().api(connection)
    assert volume.count(api_client, "con_pp", day(1), day(4)) == 2
    assert volume.count(api_client, "con_pp", day(3), day(4)) == 1
    assert volume.count(api_client, "con_pp", day(2), day(3)) == 0
    assert len(search.calls) == 1  # the days were kept
    sent = query(search.calls[0])
    assert sent == {
        "start_date": "2025-09-01T00:00:00Z",
        "end_date": "2025-09-03T23:59:59Z",
        "transaction_status": "S",
        "fields": "transaction_info",
        "page_size": "500",
        "page": "1",
    }


def test_days_not_yet_settled_are_asked_again(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    search = api.get(SEARCH, json=answer(transaction("T0006", "5.00", "2025-09-01T10:00:00Z")))
    volume = PaymentVolume(lambda: datetime(2025, 9, 2, 2, tzinfo=UTC))  # less than 3 h after
    api_client = PaypalMarketplace().api(connection)
    for _ in range(2):
        assert volume.count(api_client, "con_pp", day(1), day(2)) == 1
    assert len(search.calls) == 2


def test_long_ranges_are_asked_in_windows_of_31_days_and_pages(connection, api):
    api.post(f"{API}/v1/oauth2/token", json=TOKEN_ANSWER)
    api.get(SEARCH, json=answer(transaction("T0006", "1.00", "2025-07-02T10:00:00Z"), pages=2))
    api.get(
        SEARCH, json=answer(transaction("T0006", "1.00", "2025-07-03T10:00:00Z"), page=2, pages=2)
    )
    api.get(SEARCH, json=answer())
    volume = PaymentVolume(lambda: datetime(2025, 10, 1, tzinfo=UTC))
    start, end = datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 8, 15, tzinfo=UTC)
    assert volume.count(PaypalMarketplace().api(connection), "con_pp", start, end) == 2
    searches = [query(c) for c in api.calls if c.request.url.startswith(SEARCH)]
    assert [(q["start_date"], q["end_date"], q["page"]) for q in searches] == [
        ("2025-07-01T00:00:00Z", "2025-07-31T23:59:59Z", "1"),
        ("2025-07-01T00:00:00Z", "2025-07-31T23:59:59Z", "2"),
        ("2025-08-01T00:00:00Z", "2025-08-14T23:59:59Z", "1"),
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
