"""The request form under attack: odd tokens and a flood of order look-ups (issue 16)."""

from __future__ import annotations

from disputeflow.webhooks.buyer import request_form
from tests.webhooks.buyer.conftest import ShopMarketplace
from tests.webhooks.buyer.test_request_form import hidden, start


def test_an_order_token_with_non_ascii_digits_is_refused_not_a_crash(client, shop):
    html = start(client, shop, order_number="1001", email="jana@example.de").get_data(as_text=True)
    form = {name: hidden(html, name) for name in ("csrf_token", "order_number", "email")}
    for token in (
        "²³.AAAA",
        "\uff19\uff19\uff19.AAAA",
        "1².",
    ):  # str.isdigit() says yes, int() says no
        answer = client.post(
            f"/buyer/request/{shop['id']}/submit",
            data={**form, "order_token": token, "category": "damaged", "message": "x"},
        )
        assert answer.status_code == 403, token


def test_unauthenticated_look_ups_cause_a_bounded_number_of_platform_calls(
    client, shop, monkeypatch
):
    # Every address and order is new, so only the per-connection bound can hold the line.
    monkeypatch.setattr(request_form, "PER_IP_PER_HOUR", 10_000)
    monkeypatch.setattr(request_form, "OUTBOUND_PER_MINUTE", 5)
    ShopMarketplace.lookups.clear()
    answers = [
        start(client, shop, order_number=str(2000 + n), email=f"g{n}@example.org").status_code
        for n in range(8)
    ]
    assert len(ShopMarketplace.lookups) == 5
    assert answers[:5] == [422] * 5
    assert answers[5:] == [429] * 3
