"""Successful payments counted for the dispute-ratio monitor (``disputeflow_order_volume``),
from ``GET /v1/charges`` with ``created`` filters (https://docs.stripe.com/api/charges/list,
checked 2026-12-04) against a mocked API; charges are stripe/openapi's charge fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from disputeflow import MarketplaceError
from disputeflow.core.testing import make_connection
from disputeflow.plugins.stripe import plugin
from disputeflow.plugins.stripe.marketplace import StripeMarketplace
from tests.plugins.stripe.conftest import API, NOW, charge, listing, settings

CHARGES = f"{API}/v1/charges"
DAY = timedelta(days=1)
MIDNIGHT = datetime(2026, 11, 10, tzinfo=UTC)  # NOW is noon that day


def window(call):
    query = parse_qs(urlsplit(call.request.url).query)
    return int(query["created[gte]"][0]), int(query["created[lt]"][0])


def unix(moment):
    return int(moment.timestamp())


def charges(*statuses):
    return [charge(id=f"ch_{n}", status=status) for n, status in enumerate(statuses)]


def test_only_succeeded_charges_count_across_pages(stripe, connection, api):
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded", "failed", "succeeded"),
                                  has_more=True))  # fmt: skip
    api.get(CHARGES, json=listing("/v1/charges", charges("pending", "succeeded")))
    start = MIDNIGHT - DAY
    assert stripe.order_volume(connection, start, MIDNIGHT) == 3
    assert window(api.calls[0]) == (unix(start), unix(MIDNIGHT))
    assert parse_qs(urlsplit(api.calls[1].request.url).query)["starting_after"] == ["ch_2"]


def test_a_day_that_has_ended_is_counted_once(stripe, connection, api):
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded")))
    month = (MIDNIGHT - 3 * DAY, MIDNIGHT)
    assert stripe.order_volume(connection, *month) == 3  # three days, one charge each
    assert stripe.order_volume(connection, *month) == 3
    assert len(api.calls) == 3  # one per day, the first time only
    assert [window(call) for call in api.calls] == [
        (unix(MIDNIGHT - 3 * DAY), unix(MIDNIGHT - 2 * DAY)),
        (unix(MIDNIGHT - 2 * DAY), unix(MIDNIGHT - DAY)),
        (unix(MIDNIGHT - DAY), unix(MIDNIGHT)),
    ]


def test_today_so_far_is_counted_again_after_ten_minutes(connection, api):
    clock = [NOW]
    stripe = StripeMarketplace(sleep=lambda s: None, now=lambda: clock[0])
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded")))
    assert stripe.order_volume(connection, MIDNIGHT, NOW) == 1
    assert window(api.calls[0]) == (unix(MIDNIGHT), unix(NOW))
    clock[0] = NOW + timedelta(minutes=5)
    assert stripe.order_volume(connection, MIDNIGHT, clock[0]) == 1
    assert len(api.calls) == 1  # cached
    clock[0] = NOW + timedelta(minutes=11)
    stripe.order_volume(connection, MIDNIGHT, clock[0])
    assert len(api.calls) == 2
    assert window(api.calls[1]) == (unix(MIDNIGHT), unix(clock[0]))


def test_part_of_a_past_day_is_counted_exactly_and_not_kept(stripe, connection, api):
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded")))
    start = MIDNIGHT - DAY + timedelta(hours=6, microseconds=1)
    assert stripe.order_volume(connection, start, MIDNIGHT - timedelta(hours=1)) == 1
    stripe.order_volume(connection, start, MIDNIGHT - timedelta(hours=1))
    assert len(api.calls) == 2
    # [start, end) in whole seconds: a charge at start's second would be before start
    assert window(api.calls[0]) == (unix(start) + 1, unix(MIDNIGHT - timedelta(hours=1)))


def test_connections_keep_their_own_counts(stripe, api):
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded")))
    one = make_connection(stripe, settings(), connection_id="con_one")
    two = make_connection(stripe, settings(), connection_id="con_two")
    stripe.order_volume(one, MIDNIGHT - DAY, MIDNIGHT)
    stripe.order_volume(two, MIDNIGHT - DAY, MIDNIGHT)
    assert len(api.calls) == 2


def test_the_hook_answers_for_stripe_connections_only(monkeypatch, connection, api):
    monkeypatch.setattr(plugin, "MARKETPLACE", StripeMarketplace(now=lambda: NOW))
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded", "succeeded")))
    start = MIDNIGHT - DAY
    assert plugin.disputeflow_order_volume(connection=connection, start=start, end=MIDNIGHT) == 2
    other = make_connection(StripeMarketplace(), settings())
    other = type(other)(**{**other.__dict__, "platform": "paypal"})
    assert plugin.disputeflow_order_volume(connection=other, start=start, end=MIDNIGHT) is None


def test_the_ratio_monitor_reads_the_count_through_the_hook(runtime, fake_plugins, api):
    """What the ratio page and ``disputeflow ratios`` do: ``plugin_volume``."""
    from disputeflow.features.analytics.ratios import plugin_volume

    account = runtime.add_connection("stripe", "shop", settings())
    api.get(CHARGES, json=listing("/v1/charges", charges("succeeded", "succeeded", "failed")))
    volume = plugin_volume(runtime)
    assert volume(account["id"], MIDNIGHT - 2 * DAY, MIDNIGHT) == 4  # two days, two each


@pytest.mark.parametrize("status", [401, 503])
def test_a_failing_count_is_not_kept(stripe, connection, api, status):
    api.get(CHARGES, status=status, json={"error": {}})
    with pytest.raises(MarketplaceError):  # the monitor logs it and shows no ratio
        stripe.order_volume(connection, MIDNIGHT - DAY, MIDNIGHT)
    api.replace("GET", CHARGES, json=listing("/v1/charges", charges("succeeded")))
    assert stripe.order_volume(connection, MIDNIGHT - DAY, MIDNIGHT) == 1


def test_a_demo_connection_counts_a_sample_and_never_calls_stripe():
    from dataclasses import replace
    from datetime import UTC, datetime

    import responses as mocked

    from disputeflow import Connection
    from disputeflow.plugins.stripe import plugin as stripe_plugin

    demo = Connection(
        id="con_demo",
        platform="stripe",
        name="demo",
        settings={"api_key": "rk_test_demo", "webhook_secret": "whsec_demo"},
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
    with mocked.RequestsMock(assert_all_requests_are_fired=False) as api:
        count = stripe_plugin.disputeflow_order_volume(replace(demo, demo=True), start, end)
        assert len(api.calls) == 0
    assert count == 7 * stripe_plugin.DEMO_PAYMENTS_A_DAY == 280
