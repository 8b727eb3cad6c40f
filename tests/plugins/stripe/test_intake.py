"""Stripe events through the HTTP intake, signed as Stripe signs them, processed by the
worker, ending in the expected cases. Payloads: stripe/openapi's fixtures (fixtures/README.md)
in the event envelope of that file's ``event`` fixture; event types from
https://docs.stripe.com/api/events/types."""

from __future__ import annotations

from sqlalchemy import func, select

from disputeflow import Money
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow
from disputeflow.features.handling.deadlines import card_network
from tests.plugins.stripe.conftest import (
    NOW_TS,
    SECRET,
    case_count,
    dispute,
    event,
    fixture,
    load_case,
    post_event,
)
from tests.webhooks.conftest import drain

OPENED = 1234567890  # the fixture's created
DAY = 24 * 3600


def chargeback(**changes):
    """The fixture dispute as a fraud chargeback in JPY (documented values only)."""
    return dispute(**{"status": "needs_response", "reason": "fraudulent", "currency": "jpy",
                      **changes})  # fmt: skip


def deliveries(runtime):
    with runtime.database.session() as session:
        return [
            (row.status, row.topic, row.last_error)
            for row in session.scalars(select(DeliveryRow).order_by(DeliveryRow.received_at))
        ]


def test_a_dispute_event_opens_a_chargeback_in_yen(client, runtime, account):
    response = post_event(
        client,
        account,
        event("charge.dispute.created", chargeback(), created=OPENED, event_id="evt_opened"),
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert drain(runtime) == (1, 0)
    case = load_case(runtime, "dispute", "dp_1Pgc71B7WZ01zgkWMevJiAUx")
    assert (case.kind, case.stage, case.status) == ("chargeback", "chargeback", "needs_response")
    assert case.amount == Money("1000", "JPY")  # zero-decimal: 1000 is 1,000 yen
    assert case.category == "fraud"
    assert case.network_reason_code == "10.4"
    assert card_network(case) == "visa"  # the ratio monitor counts it as Visa's
    assert case.due_at.isoformat() == "2024-08-14T23:59:59+00:00"
    allowed = runtime.fill_allowed_actions(case).allowed_actions
    assert allowed == ["accept", "contest", "add_note"]


def test_a_warning_status_is_an_inquiry_that_may_be_refunded(client, runtime, account):
    inquiry = fixture("fixtures3_dispute.json")  # status warning_needs_response, as published
    post_event(client, account, event("charge.dispute.created", inquiry, created=OPENED,
                                      event_id="evt_inquiry"))  # fmt: skip
    drain(runtime)
    case = load_case(runtime, "dispute", inquiry["id"])
    assert (case.kind, case.stage, case.status) == ("inquiry", "inquiry", "needs_response")
    assert case.amount == Money("10.00", "USD")
    assert set(runtime.fill_allowed_actions(case).allowed_actions) >= {"accept", "refund"}


def test_a_dispute_life_ends_won_in_any_arrival_order(client, runtime, account):
    answered = chargeback(status="under_review")
    answered["evidence_details"].update(has_evidence=True, submission_count=1)
    answered["evidence"]["product_description"] = "Tea, 1 kg"
    won = {**answered, "status": "won"}
    steps = [
        event("charge.dispute.closed", won, created=OPENED + 40 * DAY, event_id="evt_4"),
        event("charge.dispute.created", chargeback(), created=OPENED, event_id="evt_1"),
        event("charge.dispute.funds_withdrawn", chargeback(), created=OPENED + 1,
              event_id="evt_2"),
        event("charge.dispute.updated", answered, created=OPENED + 3 * DAY, event_id="evt_3"),
    ]  # fmt: skip
    for payload in steps:
        assert post_event(client, account, payload).status_code == 200
    assert drain(runtime) == (4, 0)
    case = load_case(runtime, "dispute", answered["id"])
    assert (case.status, case.outcome, case.platform_status) == (
        "resolved",
        "merchant_favor",
        "won",
    )
    assert case.due_at is None  # answered: the evidence deadline is gone
    assert [(e.kind, e.description) for e in case.evidence] == [
        ("product_description", "Tea, 1 kg")
    ]


def test_an_early_fraud_warning_is_an_inquiry_until_refunded_or_disputed(client, runtime, account):
    warning = fixture("fixtures3_early_fraud_warning.json")
    post_event(client, account, event("radar.early_fraud_warning.created", warning,
                                      created=OPENED, event_id="evt_w1"))  # fmt: skip
    later = {**warning, "actionable": False}
    post_event(client, account, event("radar.early_fraud_warning.updated", later,
                                      created=OPENED + 60, event_id="evt_w2"))  # fmt: skip
    assert drain(runtime) == (2, 0)
    case = load_case(runtime, "early_fraud_warning", warning["id"])
    assert (case.kind, case.category, case.platform_reason) == ("inquiry", "fraud", "misc")
    assert (case.status, case.platform_status) == ("resolved", "not_actionable")


def test_a_bad_signature_or_an_old_timestamp_is_refused_and_nothing_is_stored(
    client, runtime, account
):
    payload = event("charge.dispute.created", chargeback(), created=OPENED, event_id="evt_x")
    forged = post_event(client, account, payload, secret="whsec_someone_else_entirely")
    stale = post_event(client, account, payload, timestamp=NOW_TS - 301)
    for response in (forged, stale):
        assert response.status_code == 401
        assert response.get_json()["code"] == "invalid_signature"
        assert SECRET not in response.get_data(as_text=True)
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 0


def test_a_retried_event_is_a_duplicate(client, runtime, account):
    """Stripe retries an event with the same id, signed anew at a later time."""
    payload = event("charge.dispute.created", chargeback(), created=OPENED, event_id="evt_once")
    first = post_event(client, account, payload, timestamp=NOW_TS - 200)
    again = post_event(client, account, payload, timestamp=NOW_TS)
    assert first.get_json()["status"] == "accepted"
    assert again.get_json()["status"] == "duplicate"
    assert drain(runtime) == (1, 0)


def test_an_event_about_something_else_is_kept_and_makes_no_case(client, runtime, account):
    customer = fixture("fixtures3_event.json")  # a plan.created event, as published
    assert post_event(client, account, customer).status_code == 200
    assert drain(runtime) == (1, 0)
    assert case_count(runtime) == 0
    assert deliveries(runtime) == [("done", "plan.created", None)]


def test_the_demo_samples_become_cases_through_the_intake(client, runtime, account):
    """What ``disputeflow demo`` sends for Stripe: its samples, no call to Stripe."""
    with runtime.database.session() as session:
        stored = runtime.connection(session.get(ConnectionRow, account["id"]))
    samples = runtime.plugins.marketplace("stripe").sample_deliveries(stored)
    for sample in samples:
        response = client.post(
            f"/webhooks/stripe/{account['id']}",
            data=sample.request.body,
            headers=dict(sample.request.headers),
        )
        assert response.status_code == 200, sample.name
    assert drain(runtime) == (len(samples), 0)
    assert case_count(runtime) == 3
    won = load_case(runtime, "dispute", "dp_1Pgc71B7WZ01zgkWMevJiAUx")
    assert (won.status, won.outcome, won.amount) == ("resolved", "merchant_favor",
                                                     Money("1000", "JPY"))  # fmt: skip
    assert load_case(runtime, "dispute", "du_1MtJUT2eZvKYlo2CNaw2HvEv").kind == "inquiry"
    assert load_case(runtime, "early_fraud_warning", "issfr_1Pgc79B7WZ01zgkWxwDzEIPX")


def test_the_next_sync_links_a_webhooks_dispute_to_its_order(client, runtime, account):
    """Webhooks never expand the charge; the sync does, and names the order and buyer."""
    import responses

    from disputeflow.engine.sync import sync_connection
    from tests.plugins.stripe.conftest import API, WOO_METADATA, charge, listing

    post_event(client, account, event("charge.dispute.created", chargeback(), created=OPENED,
                                      event_id="evt_opened"))  # fmt: skip
    drain(runtime)
    webhook_order = load_case(runtime, "dispute", "dp_1Pgc71B7WZ01zgkWMevJiAUx").order
    assert webhook_order.external_id is None
    assert webhook_order.references == (("transaction_id", "ch_1PgafuB7WZ01zgkWXYmPNZs8"),)
    paid = chargeback(charge=charge(metadata=WOO_METADATA))
    with responses.RequestsMock() as api:
        api.get(f"{API}/v1/disputes", json=listing("/v1/disputes", [paid]))
        api.get(f"{API}/v1/radar/early_fraud_warnings", json=listing("/v1/x", []))
        report = sync_connection(runtime, account["id"])
    assert (report.pages, report.failed) == (2, 0)
    case = load_case(runtime, "dispute", "dp_1Pgc71B7WZ01zgkWMevJiAUx")
    assert (case.order.external_id, case.order.name) == ("727", "#727")
    assert case.order.references == (
        ("order_number", "727"),
        ("transaction_id", "ch_1PgafuB7WZ01zgkWXYmPNZs8"),
    )
    assert case.status == "needs_response"
    assert case.amount == Money("1000", "JPY")


def test_a_connected_accounts_event_makes_no_case(client, runtime, account):
    """A Connect endpoint's events carry ``account`` (as stripe-dotnet's signed fixture
    does): this connection's key could not answer them."""
    payload = event("charge.dispute.created", chargeback(), created=OPENED, event_id="evt_c")
    payload["account"] = "acct_123"
    assert post_event(client, account, payload).status_code == 200
    assert drain(runtime) == (1, 0)
    assert case_count(runtime) == 0
