"""Webhook verification against an oracle of its own: a known-answer vector from Shopify's
official library, never a signature made by the plugin's own signer.

Source of the vector: Shopify/shopify-app-js @ ef2043d4a8c4ca0adb9020d76090b2fb94979dab,
``packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts`` ("returns true for
valid request": raw body ``{"foo": "bar"}``, expected ``hmac``
``B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=``) with the secret of
``packages/apps/shopify-api/lib/__tests__/test-config.ts`` (``apiSecretKey:
'test_secret_key'``). The wrong-algorithm signatures below are made with ``hashlib``
directly (what a buggy signer would send), not with the plugin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from disputeflow import Connection, InboundRequest, SignatureError
from disputeflow.plugins.shopify import webhooks
from tests.plugins.shopify.conftest import SHOP, make_connection

BODY = b'{"foo": "bar"}'
SECRET = "test_secret_key"
EXPECTED = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
OTHER = "shpss_some_other_secret"


def connection(**settings):
    return Connection(
        id="c-1",
        platform="shopify",
        name="acme",
        settings={"shop_domain": SHOP, **settings},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def request(signature, body=BODY, webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            event_id="evt-1"):  # fmt: skip
    headers = {
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Topic": "products/create",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2023-01",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Event-Id": event_id,
    }
    return InboundRequest(method="POST", headers=headers, body=body)


def test_the_known_answer_is_what_the_signer_makes():
    assert webhooks.sign(BODY, SECRET) == EXPECTED


def test_the_known_answer_verifies_with_the_current_secret():
    verified = webhooks.verify(connection(client_secret=SECRET), request(EXPECTED))
    assert verified.topic == "products/create"


def test_the_known_answer_verifies_with_the_previous_secret_during_a_rotation():
    rotating = connection(client_secret=OTHER, previous_client_secret=SECRET)
    assert webhooks.verify(rotating, request(EXPECTED)).topic == "products/create"


def test_the_new_secret_verifies_during_a_rotation_too():
    rotating = connection(client_secret=SECRET, previous_client_secret=OTHER)
    assert webhooks.verify(rotating, request(EXPECTED)).topic == "products/create"


def test_neither_secret_matching_is_refused():
    with pytest.raises(SignatureError):
        webhooks.verify(
            connection(client_secret=OTHER, previous_client_secret="shpss_third"),
            request(EXPECTED),
        )


def _digest(algorithm, key, message):
    return hmac.new(key, message, algorithm).digest()


WRONG = {
    "truncated by one character": EXPECTED[:-1],
    "without its padding": EXPECTED.rstrip("="),
    "first half only": EXPECTED[:22],
    "one character altered": EXPECTED[:10] + ("A" if EXPECTED[10] != "A" else "B") + EXPECTED[11:],
    "with a character appended": EXPECTED + "A",
    "lower-cased": EXPECTED.lower(),
    "hex instead of base64": _digest(hashlib.sha256, SECRET.encode(), BODY).hex(),
    "sha1": base64.b64encode(_digest(hashlib.sha1, SECRET.encode(), BODY)).decode(),
    "key and message swapped": base64.b64encode(
        _digest(hashlib.sha256, BODY, SECRET.encode())
    ).decode(),
    "empty": " ",
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_signatures_are_refused(name):
    signature = WRONG[name]
    with pytest.raises(SignatureError):
        webhooks.verify(connection(client_secret=SECRET), request(signature))


def test_an_altered_body_is_refused():
    with pytest.raises(SignatureError):
        webhooks.verify(connection(client_secret=SECRET), request(EXPECTED, body=b'{"foo":"bar"}'))


def test_the_dedup_key_is_the_signed_body_not_the_unsigned_ids():
    """Only the body is signed: the webhook id and the event id are headers anyone can
    change, so a body sent again under new ids is the same delivery (issue: a replay must
    not count twice), and a different body is another one."""
    verify = webhooks.verify
    digest = f"sha256:{hashlib.sha256(BODY).hexdigest()}"  # the standard library's answer
    first = verify(connection(client_secret=SECRET), request(EXPECTED, webhook_id="w-1"))
    second = verify(connection(client_secret=SECRET), request(EXPECTED, webhook_id="w-2"))
    replay = verify(
        connection(client_secret=SECRET), request(EXPECTED, webhook_id="w-9", event_id="evt-9")
    )
    assert first.dedup_key == second.dedup_key == replay.dedup_key == digest
    other_body = b'{"foo": "baz"}'
    other = verify(
        connection(client_secret=SECRET),
        request(webhooks.sign(other_body, SECRET), body=other_body, webhook_id="w-1"),
    )
    assert other.dedup_key == f"sha256:{hashlib.sha256(other_body).hexdigest()}" != digest
    assert first.headers["X-Shopify-Event-Id"] == second.headers["X-Shopify-Event-Id"] == "evt-1"


def _post(app_client, conn, signature, webhook_id, event_id="evt-1"):
    sent = request(signature, webhook_id=webhook_id, event_id=event_id)
    return app_client.post(
        f"/webhooks/shopify/{conn['id']}", data=sent.body, headers=dict(sent.headers)
    )


def test_the_intake_stores_a_body_once_whatever_its_ids(app_client, runtime):
    conn = make_connection(runtime, "vectors", client_secret=SECRET)
    one = _post(app_client, conn, EXPECTED, "w-1")
    again = _post(app_client, conn, EXPECTED, "w-2")  # another webhook id, same body
    replay = _post(app_client, conn, EXPECTED, "w-3", event_id="evt-other")
    assert [r.status_code for r in (one, again, replay)] == [200, 200, 200]
    assert one.get_json()["status"] == "accepted"
    duplicate = {"status": "duplicate", "delivery_id": one.get_json()["delivery_id"]}
    assert again.get_json() == replay.get_json() == duplicate


def test_the_intake_answers_401_to_a_truncated_known_answer(app_client, runtime):
    conn = make_connection(runtime, "vectors", client_secret=SECRET)
    response = _post(app_client, conn, EXPECTED[:-2], "w-3")
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_signature"
