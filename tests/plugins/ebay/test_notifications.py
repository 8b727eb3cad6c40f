"""The Notification API side: the endpoint check, ECDSA signatures with eBay's keys fetched
and cached, and the account deletion every eBay app must honour."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
import requests
import responses
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from disputeflow import InboundRequest, SnapshotError, StoredDelivery
from disputeflow.core.effects import PersonalDataErasure, Subject
from disputeflow.core.testing import make_connection
from disputeflow.engine.store.tables import ConnectionRow, DeliveryRow
from disputeflow.plugins.ebay.errors import MalformedNotification
from disputeflow.plugins.ebay.signatures import PublicKey, public_key_answer
from disputeflow.plugins.ebay.webhooks import envelope, translate_delivery, verify_delivery
from tests.plugins.ebay.conftest import (
    API,
    KEY_URL,
    SETTINGS,
    START,
    VERIFICATION_TOKEN,
    deliver_object,
    fixture_bytes,
    load_case,
    notify,
    signed,
)
from tests.plugins.ebay.payloads import a_dispute, a_return, to_json
from tests.webhooks.conftest import drain

DELETION = json.loads(fixture_bytes("notification_marketplace_account_deletion.json"))


def stored(runtime):
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(DeliveryRow))


# -- GET ?challenge_code= ------------------------------------------------------------------


def expected_challenge(code, endpoint):
    digest = hashlib.sha256()
    digest.update(code.encode())
    digest.update(VERIFICATION_TOKEN.encode())
    digest.update(endpoint.encode())
    return digest.hexdigest()


def test_challenge_answers_ebays_formula(client, runtime, shop):
    response = client.get(f"/webhooks/ebay/{shop['id']}?challenge_code=a8628072-3d33-45ee")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    want = expected_challenge("a8628072-3d33-45ee", shop["webhook_url"])
    assert response.get_json() == {"challengeResponse": want}
    with runtime.database.session() as session:
        assert session.get(ConnectionRow, shop["id"]).webhook_verified_at is not None


def test_challenge_uses_the_registered_endpoint_url(client, runtime, shop):
    registered = "https://disputes.example.com/webhooks/ebay/" + shop["id"]
    runtime.update_connection_settings(shop["id"], {"endpoint_url": registered})
    response = client.get(f"/webhooks/ebay/{shop['id']}?challenge_code=xyz")
    assert response.get_json() == {"challengeResponse": expected_challenge("xyz", registered)}


def test_challenge_without_code_or_token_is_404(client, runtime):
    bare = runtime.add_connection(
        "ebay",
        "no-token",
        {"marketplace_id": "EBAY_US", "client_id": "a", "client_secret": "b"},
    )
    assert client.get(f"/webhooks/ebay/{bare['id']}?challenge_code=x").status_code == 404
    assert client.get(f"/webhooks/ebay/{bare['id']}").status_code == 404


# -- POST with X-EBAY-SIGNATURE ----------------------------------------------------------------


def test_valid_signature_is_204_and_the_key_is_fetched_once_per_kid(
    client, runtime, shop, mocked, signing_key, clock
):
    for number in (1, 2, 3):
        payload = {
            **DELETION,
            "notification": {**DELETION["notification"], "notificationId": f"n-{number}"},
        }
        response = notify(client, shop, payload, signing_key)
        assert response.status_code == 204
        assert response.data == b""
    assert stored(runtime) == 3
    assert mocked.key.call_count == 1
    assert mocked.app_tokens == 1
    key_call = mocked.calls("/public_key/")[0].request
    assert key_call.headers["Authorization"] == "Bearer app-1"
    assert mocked.token_forms[0] == {
        "grant_type": "client_credentials",
        "scope": "https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope",
    }
    clock.advance(minutes=61)  # eBay: cache the key for about an hour
    notify(
        client,
        shop,
        {**DELETION, "notification": {**DELETION["notification"], "notificationId": "n-4"}},
        signing_key,
    )
    assert mocked.key.call_count == 2


def test_pretty_printed_body_verifies_over_its_compact_form(client, shop, mocked, signing_key):
    """eBay signs the compact JSON; its SDKs re-serialise before verifying, and so do we."""
    compact, headers = signed(DELETION, signing_key)
    pretty = fixture_bytes("notification_marketplace_account_deletion.json")
    assert pretty != compact
    response = client.post(f"/webhooks/ebay/{shop['id']}", data=pretty, headers=headers)
    assert response.status_code == 204


@pytest.mark.parametrize("forgery", ["tampered_body", "other_key", "no_header", "bad_header"])
def test_forged_notifications_are_412_and_nothing_is_stored(
    client, runtime, shop, mocked, signing_key, forgery
):
    body, headers = signed(DELETION, signing_key)
    if forgery == "tampered_body":
        body = body.replace(b"test_user", b"test_usex")
    elif forgery == "other_key":
        body, headers = signed(DELETION, ec.generate_private_key(ec.SECP256R1()))
    elif forgery == "no_header":
        del headers["X-EBAY-SIGNATURE"]
    else:
        headers["X-EBAY-SIGNATURE"] = "bm90IGpzb24="
    response = client.post(f"/webhooks/ebay/{shop['id']}", data=body, headers=headers)
    assert response.status_code == 412
    assert response.get_json()["code"] == "signature_mismatch"
    assert stored(runtime) == 0
    with runtime.database.session() as session:
        assert session.get(ConnectionRow, shop["id"]).rejected_deliveries == 1


@pytest.mark.parametrize(("case", "status"), [("VALID", 204), ("SIGNATURE_MISMATCH", 412)])
def test_ebays_own_known_answers(client, runtime, shop, mocked, case, status):
    """eBay's Node.js SDK test vectors (fixtures/README.md): its key, its signatures."""
    vector = json.loads(fixture_bytes("ebay_notification_sdk_test.json"))[case]
    kid = json.loads(base64.b64decode(vector["signature"]))["kid"]  # the header names the key
    mocked.mock.get(f"{API}/commerce/notification/v1/public_key/{kid}", json=vector["response"])
    body = json.dumps(vector["message"], separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-EBAY-SIGNATURE": vector["signature"]}
    response = client.post(f"/webhooks/ebay/{shop['id']}", data=body, headers=headers)
    assert response.status_code == status
    assert stored(runtime) == (1 if status == 204 else 0)


def test_unknown_key_id_is_412(client, runtime, shop, mocked, signing_key):
    mocked.mock.get(f"{KEY_URL[:-36]}unknown-kid", status=404, json={"errors": []})
    response = notify(client, shop, DELETION, signing_key, kid="unknown-kid")
    assert response.status_code == 412
    assert stored(runtime) == 0


@pytest.mark.parametrize("failure", [503, requests.ConnectionError("refused")])
def test_key_service_failure_is_500_so_ebay_retries(
    client, runtime, shop, mocked, signing_key, sleeps, failure
):
    mocked.mock.remove(responses.GET, KEY_URL)
    if isinstance(failure, int):
        mocked.mock.get(KEY_URL, status=failure, json={"errors": [{"message": "down"}]})
    else:
        mocked.mock.get(KEY_URL, body=failure)
    response = notify(client, shop, DELETION, signing_key)
    assert response.status_code == 500
    assert response.get_json()["code"] == "key_service_unavailable"
    assert stored(runtime) == 0
    assert len(sleeps) == 2  # PlatformClient retried twice, without sleeping for real
    mocked.mock.remove(responses.GET, KEY_URL)
    mocked.mock.get(KEY_URL, json=public_key_answer(signing_key))
    assert notify(client, shop, DELETION, signing_key).status_code == 204  # not cached as bad


def test_sample_signatures_need_the_connections_consent(client, runtime, shop, ebay):
    samples = ebay.sample_deliveries(runtime.connection(_row(runtime, shop["id"])))
    request = samples[0].request
    response = client.post(
        f"/webhooks/ebay/{shop['id']}", data=request.body, headers=dict(request.headers)
    )
    assert response.status_code == 412
    assert "sample signatures" in response.get_json()["message"]


def _row(runtime, connection_id):
    with runtime.database.session() as session:
        return session.get(ConnectionRow, connection_id)


def test_duplicate_notification_is_acknowledged_once_stored(
    client, runtime, shop, mocked, signing_key
):
    assert notify(client, shop, DELETION, signing_key).status_code == 204
    assert notify(client, shop, DELETION, signing_key).status_code == 204
    assert stored(runtime) == 1


def test_unknown_topic_is_stored_and_concerns_no_case(client, runtime, shop, mocked, signing_key):
    revoked = {
        "metadata": {"topic": "AUTHORIZATION_REVOCATION", "schemaVersion": "1.0"},
        "notification": {
            "notificationId": "r-1",
            "eventDate": "2026-03-10T00:00:00Z",
            "data": {"username": "someone"},
        },
    }
    assert notify(client, shop, revoked, signing_key).status_code == 204
    assert drain(runtime) == (1, 0)


# -- MARKETPLACE_ACCOUNT_DELETION ------------------------------------------------------------


def test_account_deletion_erases_that_users_personal_data(
    client, runtime, shop, mocked, signing_key
):
    mine = a_return("7001", buyerLoginName="test_user")
    other = a_return("7002", buyerLoginName="someone_else")
    by_user_id = a_dispute("7003", buyerUsername="ma8vp1jySJC")  # an immutable user id
    for number, (kind, obj) in enumerate(
        [("return", mine), ("return", other), ("payment_dispute", by_user_id)]
    ):
        deliver_object(client, shop, signing_key, kind, obj, f"o-{number}", "2026-03-02T10:00:00Z")
    assert drain(runtime) == (3, 0)
    assert notify(client, shop, DELETION, signing_key).status_code == 204
    assert drain(runtime) == (1, 0)

    erased = load_case(runtime, "return", "7001")
    assert erased.buyer.external_id is None
    assert erased.buyer.name is None
    assert erased.buyer.country == "DE"  # kept: the buyer's statutory rights depend on it
    assert [m.body for m in erased.messages] == ["[erased]"]
    assert erased.amount is not None
    assert str(erased.amount) == "39.90 EUR"
    assert erased.status == "needs_response"
    entries = [e for e in erased.timeline if e.kind == "personal_data_erased"]
    assert entries
    assert "ebay marketplace account deletion" in entries[0].summary
    assert load_case(runtime, "payment_dispute", "7003").buyer.external_id is None
    untouched = load_case(runtime, "return", "7002")
    assert untouched.buyer.external_id == "someone_else"
    assert untouched.messages[0].body == "Does not switch on."


# -- the delivery as verified, stored and translated ----------------------------------------
# Each test below is aimed at a mutant that survived ``make mutate`` (docs/testing.md). Every
# field of eBay's envelope is optional in eBay's AsyncAPI contract for this topic
# (https://developer.ebay.com/api-docs/master/commerce/notification/asyncapi/marketplace_account_deletion.yaml,
# checked 2026-12-04: ``eventDate`` "the event date associated with this notification",
# ``publishDate`` "the message publish date"), so the messages below are the documented one
# (fixtures/notification_marketplace_account_deletion.json) with fields taken out.

EVENT_DATE = datetime(2021, 3, 19, 20, 43, 59, 462000, tzinfo=UTC)  # the fixture's eventDate
PUBLISH_DATE = datetime(2021, 3, 19, 20, 43, 59, 679000, tzinfo=UTC)  # and its publishDate


def without(*keys, data=None):
    """The documented message without the ``notification`` fields named (``data`` replaces
    its data when given)."""
    notification = {k: v for k, v in DELETION["notification"].items() if k not in keys}
    if data is not None:
        notification["data"] = data
    return {**DELETION, "notification": notification}


def test_a_message_is_stored_under_its_topic_with_only_the_headers_worth_keeping(
    client, runtime, shop, mocked, signing_key
):
    assert notify(client, shop, DELETION, signing_key).status_code == 204
    with runtime.database.session() as session:
        (row,) = session.scalars(select(DeliveryRow)).all()
        assert row.topic == "MARKETPLACE_ACCOUNT_DELETION"
        assert row.dedup_key == f"notification:{DELETION['notification']['notificationId']}"
        assert row.headers == {"Content-Type": "application/json"}  # not the signature


def test_a_message_without_a_topic_is_stored_as_unknown(client, runtime, shop, mocked, signing_key):
    untitled = {"notification": DELETION["notification"]}
    assert notify(client, shop, untitled, signing_key).status_code == 204
    with runtime.database.session() as session:
        assert session.scalars(select(DeliveryRow.topic)).all() == ["UNKNOWN"]
    assert drain(runtime) == (1, 0)  # stored, and concerns no case


@pytest.mark.parametrize(
    ("message", "occurred_at"),
    [
        (DELETION, EVENT_DATE),
        (without("eventDate"), PUBLISH_DATE),
        (without("eventDate", "publishDate"), None),
    ],
    ids=["eventDate", "publishDate without eventDate", "neither"],
)
def test_a_delivery_occurred_at_its_event_date_else_its_publish_date(
    ebay, signing_key, message, occurred_at
):
    body, headers = signed(message, signing_key)
    kids = []

    def keys(connection, kid):
        kids.append(kid)
        return PublicKey(signing_key.public_key(), "SHA1")

    connection = make_connection(ebay, SETTINGS)
    verified = verify_delivery(connection, InboundRequest("POST", headers, body), keys)
    assert verified.occurred_at == occurred_at
    assert verified.ack_status == 204
    assert kids == ["99362619-7d7b-4621-a0f1-96ccb428af49"]


def test_a_message_that_is_not_json_is_malformed():
    truncated = fixture_bytes("notification_marketplace_account_deletion.json")[:-3]
    with pytest.raises(MalformedNotification, match=r"^the notification is not JSON$") as info:
        envelope(truncated)
    assert info.value.status == 400


@pytest.mark.parametrize(
    "message",
    [without("notificationId"), [DELETION], {"metadata": DELETION["metadata"]}],
    ids=["no notificationId", "a list", "no notification"],
)
def test_a_message_without_a_notification_id_is_malformed(message):
    with pytest.raises(
        MalformedNotification, match=r"^the notification has no notificationId$"
    ) as info:
        envelope(to_json(message).encode())
    assert info.value.status == 400


def stored_delivery(message):
    body = to_json(message).encode()
    return StoredDelivery("dlv_1", "con_test", "ebay", "UNKNOWN", "n", {}, body, START)


def never_fetch(object_type, object_id):
    raise AssertionError(f"a Notification API message is translated without fetching: {object_id}")


def object_message(*dropped):
    """The documented envelope carrying a return on disputeflow's own topic (samples.py)."""
    data = {"objectType": "return", "object": a_return("7001")}
    message = without(*dropped, data=data)
    return {**message, "metadata": {**message["metadata"], "topic": "DISPUTEFLOW_OBJECT"}}


@pytest.mark.parametrize(
    ("dropped", "observed_at"),
    [((), EVENT_DATE), (("eventDate",), PUBLISH_DATE)],
    ids=["eventDate", "publishDate without eventDate"],
)
def test_an_object_is_observed_at_its_event_date_else_its_publish_date(dropped, observed_at):
    (snapshot,) = translate_delivery(stored_delivery(object_message(*dropped)), never_fetch)
    assert (snapshot.object_type, snapshot.external_id) == ("return", "7001")
    assert snapshot.observed_at == observed_at


def test_an_object_without_any_date_is_refused_with_a_reason():
    message = object_message("eventDate", "publishDate")
    with pytest.raises(
        SnapshotError, match=r"^a DISPUTEFLOW_OBJECT notification without eventDate$"
    ):
        translate_delivery(stored_delivery(message), never_fetch)


def erasure(subject):
    return PersonalDataErasure(
        "ebay marketplace account deletion", Subject(customer_external_id=subject)
    )


@pytest.mark.parametrize(
    ("data", "subjects"),
    [
        (DELETION["notification"]["data"], ["test_user", "ma8vp1jySJC"]),
        ({"userId": "ma8vp1jySJC"}, ["ma8vp1jySJC"]),
        ({"username": "test_user"}, ["test_user"]),
    ],
    ids=["both", "no username", "no userId"],
)
def test_an_account_deletion_erases_each_identifier_it_names(data, subjects):
    translations = translate_delivery(stored_delivery(without(data=data)), never_fetch)
    assert translations == [erasure(subject) for subject in subjects]


def test_an_account_deletion_naming_nobody_is_refused_with_a_reason():
    message = without(data={"eiasToken": DELETION["notification"]["data"]["eiasToken"]})
    with pytest.raises(SnapshotError, match=r"^an account deletion naming no eBay user$"):
        translate_delivery(stored_delivery(message), never_fetch)
