"""The webhook intake end to end through HTTP, with the fake marketplace."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from disputeflow.engine.store import cases, deliveries
from disputeflow.engine.store.tables import CaseRow, ConnectionRow, DeliveryRow
from tests.webhooks.conftest import dispute, drain, signed


def post(client, connection, payload=None, **options):
    body, headers = signed(payload or dispute(), **options)
    return client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)


def count(runtime, table):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def stored_case(runtime, external_id="d1"):
    with runtime.database.session() as session:
        row = session.scalar(select(CaseRow).where(CaseRow.external_id == external_id))
        return cases.load(session, row)


def test_accepted_delivery_is_stored_then_becomes_a_case(client, runtime, connection):
    response = post(client, connection, delivery_id="a1")
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert count(runtime, DeliveryRow) == 1
    assert count(runtime, CaseRow) == 0  # acknowledged before processing
    assert drain(runtime) == (1, 0)
    case = stored_case(runtime)
    assert (case.kind, case.status, case.category) == ("chargeback", "needs_response", "fraud")


def test_duplicate_delivery_is_a_2xx_no_op(client, runtime, connection):
    first = post(client, connection, delivery_id="same")
    again = post(client, connection, delivery_id="same")
    assert again.status_code == 200
    assert again.get_json() == {
        "status": "duplicate",
        "delivery_id": first.get_json()["delivery_id"],
    }
    assert count(runtime, DeliveryRow) == 1


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "wrong-secret"},
        {"shop": "another-shop"},
        {"body": b'{"id": "d1", "tampered": true}'},
    ],
    ids=["wrong-secret", "wrong-shop", "tampered-body"],
)
def test_forged_delivery_is_401_counted_and_not_stored(client, runtime, connection, forgery):
    body, headers = signed(dispute(), secret=forgery.get("secret", "whsec-test"),
                           shop=forgery.get("shop", "eu-shop"))  # fmt: skip
    if "body" in forgery:
        body = forgery["body"]
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert response.get_json()["code"] == "invalid_signature"
    assert count(runtime, DeliveryRow) == 0
    with runtime.database.session() as session:
        row = session.get(ConnectionRow, connection["id"])
        assert row.rejected_deliveries == 1
        assert row.last_rejected_at is not None


def test_missing_signature_is_401(client, runtime, connection):
    body, headers = signed(dispute())
    del headers["X-Fake-Signature"]
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/webhooks/fake/con_unknown", "/webhooks/nosuch/{id}", "/webhooks/other/{id}"],
)
def test_unknown_connection_or_platform_is_404(client, connection, path):
    body, headers = signed(dispute())
    response = client.post(path.format(id=connection["id"]), data=body, headers=headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_oversized_body_is_413_and_not_stored(app, client, runtime, connection):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    payload = dispute(note="x" * 4096)
    response = post(client, connection, payload)
    assert response.status_code == 413
    assert response.get_json()["status"] == 413
    assert count(runtime, DeliveryRow) == 0


def test_out_of_order_deliveries_end_in_the_newest_state(client, runtime, connection):
    won = dispute(status="won", updated_at="2026-11-03T10:00:00Z")
    review = dispute(status="under_review", updated_at="2026-11-02T10:00:00Z")
    opened = dispute()
    for payload in (won, opened, review):
        post(client, connection, payload)
        drain(runtime)
    case = stored_case(runtime)
    assert (case.status, case.outcome) == ("resolved", "merchant_favor")
    assert [e.kind for e in case.timeline] == ["opened", "status_changed", "resolved"]


def test_broken_json_goes_dead_and_replays_after_the_fix(client, runtime, connection):
    body = b'{"id": "d1", "type": "dispute", '  # signed, but cut short
    response = post(client, connection, body=body, delivery_id="broken")
    assert response.status_code == 200
    assert drain(runtime) == (0, 3)  # three attempts, then dead
    with runtime.database.session() as session:
        row = session.scalar(select(DeliveryRow))
        assert row.status == "dead"
        assert row.attempts == 3
        assert "JSON" in row.last_error or "json" in row.last_error
        row.body = json.dumps(dispute()).encode()  # the cause, fixed (e.g. a plugin upgrade)
    with runtime.database.session() as session:
        assert deliveries.replay(session, row.received_at, failed=True) == 1
    assert drain(runtime) == (1, 0)
    assert stored_case(runtime).status == "needs_response"


def test_eight_threads_posting_one_delivery_make_one_delivery_and_one_case(
    live_server, runtime, connection
):
    body, headers = signed(dispute(), delivery_id="race")
    url = f"{live_server}/webhooks/fake/{connection['id']}"

    def send(_):
        return requests.post(url, data=body, headers=headers, timeout=30)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(send, range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert sorted(r.json()["status"] for r in responses) == ["accepted"] + ["duplicate"] * 7
    drain(runtime)
    assert count(runtime, DeliveryRow) == 1
    assert count(runtime, CaseRow) == 1


def test_get_without_a_challenge_answer_is_404(client, connection):
    response = client.get(f"/webhooks/fake/{connection['id']}?challenge_code=abc")
    assert response.status_code == 404
