"""Only signed data decides a Shopify case's order (issue 16).

``X-Shopify-Triggered-At`` and ``X-Shopify-Webhook-Id`` are not covered by the HMAC (it is
over the raw body alone: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries,
checked 2026-12-04), so anyone who once saw a delivery can send its body
again with new headers. The body from ``fixtures/disputes_create.json`` (Shopify's own
example) is replayed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from disputeflow.core.clock import utcnow
from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.plugins.shopify import webhooks
from tests.plugins.shopify.conftest import deliver, fixture, load_case, post
from tests.webhooks.conftest import drain

DISPUTE_ID = "285332461850802063"


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dispute(**changes):
    return {**fixture("disputes_create"), **changes}


def deliveries(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


def test_an_old_body_with_new_headers_is_a_duplicate(app_client, runtime, connection, api):
    now = utcnow()
    opened = dispute(status="needs_response")
    deliver(app_client, runtime, connection, "disputes/create", opened,
            webhook_id="wh-a", triggered_at=_stamp(now - timedelta(hours=2)))  # fmt: skip
    won = dispute(status="won", finalized_on="2026-04-01T10:00:00-05:00")
    deliver(app_client, runtime, connection, "disputes/update", won,
            webhook_id="wh-b", triggered_at=_stamp(now - timedelta(hours=1)))  # fmt: skip
    assert load_case(runtime, DISPUTE_ID).status == "resolved"
    before = deliveries(runtime)
    replay = post(app_client, connection, "disputes/update", opened,
                  webhook_id="wh-attacker", triggered_at=_stamp(now))  # fmt: skip
    assert replay.status_code == 200  # acknowledged, as any duplicate
    drain(runtime)
    assert deliveries(runtime) == before  # a duplicate by its body's digest
    assert load_case(runtime, DISPUTE_ID).status == "resolved"


def test_a_header_time_in_the_future_cannot_freeze_a_case(app_client, runtime, connection, api):
    future = utcnow() + timedelta(days=365)
    deliver(app_client, runtime, connection, "disputes/create", dispute(status="needs_response"),
            triggered_at=_stamp(future))  # fmt: skip
    case = load_case(runtime, DISPUTE_ID)
    assert case.updated_at <= utcnow()
    later = dispute(status="won", finalized_on="2026-04-01T10:00:00-05:00")
    deliver(app_client, runtime, connection, "disputes/update", later,
            triggered_at=_stamp(utcnow()))  # fmt: skip
    assert load_case(runtime, DISPUTE_ID).status == "resolved"


def test_the_observed_time_is_bounded_by_receipt_and_floored_by_signed_times():
    received = datetime(2026, 12, 4, 12, tzinfo=UTC)
    header = {webhooks.TRIGGERED_AT: "2027-01-01T00:00:00Z"}
    assert webhooks.observed_time(header, received, {}) == received
    early = {webhooks.TRIGGERED_AT: "2020-01-01T00:00:00Z"}
    signed = {"finalized_on": "2026-12-01T10:00:00Z", "evidence_due_by": "2027-02-01T00:00:00Z"}
    assert webhooks.observed_time(early, received, signed) == datetime(2026, 12, 1, 10,
                                                                        tzinfo=UTC)  # fmt: skip
    assert webhooks.observed_time({}, received, {"updated_at": "2026-12-03T09:00:00Z"}) == (
        datetime(2026, 12, 3, 9, tzinfo=UTC)
    )
    retried = {webhooks.TRIGGERED_AT: "2026-12-04T11:00:00Z"}  # Shopify's retry keeps it
    assert webhooks.observed_time(retried, received, {}) == datetime(2026, 12, 4, 11, tzinfo=UTC)
