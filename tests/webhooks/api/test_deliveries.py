"""``/api/v1/deliveries``: what the platforms sent, failures kept, replay by admins."""

from __future__ import annotations

import pytest

from disputeflow.engine.processing import RetryPolicy
from tests.webhooks.conftest import dispute, drain, signed

# One attempt now, the retry an hour away: a failing delivery stays "failed" for the test.
PATIENT = RetryPolicy(max_attempts=5, backoff_seconds=(3600,))


def deliver(client, connection, body=None, payload=None):
    body, headers = signed(payload or dispute(), body=body)
    response = client.post(f"/webhooks/fake/{connection['id']}", data=body, headers=headers)
    assert response.status_code == 200
    return response.get_json()["delivery_id"]


@pytest.fixture
def good_and_broken(client, runtime, connection):
    good = deliver(client, connection)
    broken = deliver(client, connection, body=b'{"id": "d9", "type": ')  # signed, cut short
    assert drain(runtime, policy=PATIENT) == (1, 1)
    return good, broken


def listed(client, headers, query=""):
    response = client.get(f"/api/v1/deliveries{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_list_by_status(client, viewer, good_and_broken):
    good, broken = good_and_broken
    everything = listed(client, viewer)
    assert [d["id"] for d in everything["items"]] == [broken, good]  # newest first
    assert everything["next_cursor"] is None
    failed = listed(client, viewer, "?status=failed")["items"]
    assert [(d["id"], d["status"], d["attempts"]) for d in failed] == [(broken, "failed", 1)]
    assert "JSON" in failed[0]["last_error"]
    assert "body" not in failed[0]
    assert [d["id"] for d in listed(client, viewer, "?status=done")["items"]] == [good]
    assert listed(client, viewer, "?status=dead")["items"] == []


def test_list_by_connection_and_bad_status(client, viewer, runtime, good_and_broken):
    other = runtime.add_connection("fake", "us", {"signing_secret": "s2", "shop": "us-shop"})
    assert listed(client, viewer, f"?connection_id={other['id']}")["items"] == []
    response = client.get("/api/v1/deliveries?status=bogus", headers=viewer)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["status"]


def test_cursor_walks_every_delivery_once(client, viewer, connection):
    made = [deliver(client, connection, payload=dispute(f"p{n}")) for n in range(5)]
    seen, cursor = [], None
    while True:
        page = listed(client, viewer, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]


def test_show_has_headers_and_the_raw_body(client, viewer, good_and_broken):
    _, broken = good_and_broken
    response = client.get(f"/api/v1/deliveries/{broken}", headers=viewer)
    assert response.status_code == 200
    delivery = response.get_json()
    assert delivery["body"] == '{"id": "d9", "type": '
    assert delivery["headers"]["X-Fake-Topic"] == "disputes/update"
    missing = client.get("/api/v1/deliveries/dlv_missing", headers=viewer)
    assert missing.status_code == 404


def test_replay_one_queues_it_again(client, admin, runtime, good_and_broken):
    _, broken = good_and_broken
    response = client.post(f"/api/v1/deliveries/{broken}/replay", headers=admin)
    assert response.status_code == 202
    delivery = response.get_json()
    assert (delivery["id"], delivery["status"], delivery["attempts"]) == (broken, "pending", 0)
    assert drain(runtime, policy=PATIENT) == (0, 1)  # due now: tried again (still broken)
    missing = client.post("/api/v1/deliveries/dlv_missing/replay", headers=admin)
    assert missing.status_code == 404


def test_replay_every_failed_one(client, admin, good_and_broken):
    _, broken = good_and_broken
    response = client.post("/api/v1/deliveries/replay", headers=admin, json={"failed": True})
    assert response.status_code == 202
    assert response.get_json() == {"queued": 1}
    assert listed(client, admin, "?status=failed")["items"] == []
    assert [d["id"] for d in listed(client, admin, "?status=pending")["items"]] == [broken]


def test_replay_by_ids(client, admin, good_and_broken):
    good, broken = good_and_broken
    response = client.post("/api/v1/deliveries/replay", headers=admin, json={"ids": [good, broken]})
    assert response.get_json() == {"queued": 2}
    unknown = client.post("/api/v1/deliveries/replay", headers=admin, json={"ids": ["dlv_x"]})
    assert unknown.status_code == 404


@pytest.mark.parametrize("body", [{}, {"ids": ["dlv_x"], "failed": True}, {"ids": []}])
def test_replay_needs_ids_or_failed(client, admin, body):
    response = client.post("/api/v1/deliveries/replay", headers=admin, json=body)
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_input"


def test_a_viewer_cannot_replay(client, viewer, good_and_broken):
    _, broken = good_and_broken
    for response in (
        client.post(f"/api/v1/deliveries/{broken}/replay", headers=viewer),
        client.post("/api/v1/deliveries/replay", headers=viewer, json={"failed": True}),
    ):
        assert response.status_code == 403
    assert listed(client, viewer, "?status=failed")["items"][0]["id"] == broken
