"""eBay's public-key answer, the compact body and the endpoint check, tested directly: each
test is aimed at a mutant that survived ``make mutate`` (docs/testing.md).

The key service's answer has the shape of ``GET /commerce/notification/v1/public_key/{kid}``
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey,
checked 2026-12-04: ``{"algorithm": "ECDSA", "digest": "SHA1", "key": "-----BEGIN PUBLIC
KEY-----..."}``). The non-ECDSA key is the Ed25519 key of eBay's digital-signature example
(fixtures/ebay_digital_signature_example.json); the P-256 key is made here (a key, not a
signature: nothing is signed with it).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from disputeflow import Connection, InboundRequest
from disputeflow.core.testing import make_connection
from disputeflow.plugins.ebay.errors import KeyServiceError
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.signatures import compact, load_public_key
from disputeflow.plugins.ebay.webhooks import _verify_platform_notification, answer_challenge
from tests.plugins.ebay.conftest import EBAY_SIGNATURE_EXAMPLE, fixture_bytes


def p256_pem():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, pem.decode()


@pytest.mark.parametrize(
    "answer",
    [[], "-----BEGIN PUBLIC KEY-----", {"key": None}, {"key": "not a key"}, {}],
    ids=["a list", "a bare string", "null key", "no PEM", "no key"],
)
def test_an_answer_without_a_public_key_is_a_transient_key_service_error(answer):
    with pytest.raises(KeyServiceError, match="answered no public key") as info:
        load_public_key(answer)
    assert info.value.transient is True


def test_an_unreadable_key_is_a_transient_key_service_error():
    answer = {"key": "-----BEGIN PUBLIC KEY-----@@not base64@@-----END PUBLIC KEY-----"}
    with pytest.raises(KeyServiceError, match="cannot be read") as info:
        load_public_key(answer)
    assert info.value.transient is True


def test_a_key_that_is_not_ecdsa_is_refused():
    answer = {"key": EBAY_SIGNATURE_EXAMPLE["public_key_pem"]}  # Ed25519
    with pytest.raises(KeyServiceError, match="not an ECDSA key") as info:
        load_public_key(answer)
    assert info.value.transient is True


@pytest.mark.parametrize("one_line", [False, True], ids=["PEM with line breaks", "one line"])
def test_a_p256_key_loads_with_its_digest(one_line):
    key, pem = p256_pem()
    text = pem.replace("\n", "") if one_line else pem
    public = load_public_key({"algorithm": "ECDSA", "digest": "SHA1", "key": text})
    assert public.key.public_numbers() == key.public_numbers()
    assert public.digest is not None


def test_compact_keeps_non_ascii_text_as_utf8():
    """eBay's SDKs re-serialise without escaping: a non-ASCII name must stay as it is,
    or the digest of the compact body never matches."""
    body = json.dumps({"name": "Jürgen Müller", "n": 1}, indent=2).encode("utf-8")
    assert compact(body) == '{"name":"Jürgen Müller","n":1}'.encode()


def test_the_endpoint_check_answers_200_json():
    connection = Connection(
        id="c-1",
        platform="ebay",
        name="shop",
        settings={"verification_token": "tok-1234567890-abcdefghij-klmnopqrst"},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        webhook_url="https://example.org/webhooks/ebay/c-1",
    )
    request = InboundRequest("GET", {}, b"", query={"challenge_code": "a8628072"})
    answer = answer_challenge(connection, request)
    assert answer is not None
    assert (answer.status, answer.content_type, answer.webhook_verified) == (
        200,
        "application/json",
        True,
    )
    expected = hashlib.sha256(
        b"a8628072tok-1234567890-abcdefghij-klmnopqrsthttps://example.org/webhooks/ebay/c-1"
    ).hexdigest()
    assert json.loads(answer.body) == {"challengeResponse": expected}


def test_a_documented_platform_notification_verifies_with_its_event_and_time():
    """eBay's documented ReturnClosed sample (fixtures/README.md): without a dev id the
    signature cannot be checked, and the message is a trigger for a signed fetch."""
    body = fixture_bytes("platform_notification_return_closed.xml")
    adapter = EbayMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    headers = {"Content-Type": "text/xml", "SOAPAction": '"ReturnClosed"'}
    verified = _verify_platform_notification(connection, InboundRequest("POST", headers, body))
    assert verified.dedup_key == f"platform:{hashlib.sha256(body).hexdigest()[:40]}"
    assert verified.topic == "ReturnClosed"
    assert verified.ack_status == 200
    assert verified.occurred_at is not None
    assert verified.occurred_at.tzinfo is not None
    assert dict(verified.headers) == headers  # kept with the stored delivery


def test_a_platform_notification_without_an_event_name_is_stored_under_a_fixed_topic():
    """The documented ReturnClosed sample with its NotificationEventName taken out."""
    documented = fixture_bytes("platform_notification_return_closed.xml")
    body = documented.replace(b"<NotificationEventName>ReturnClosed</NotificationEventName>", b"")
    assert body != documented
    adapter = EbayMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    verified = _verify_platform_notification(connection, InboundRequest("POST", {}, body))
    assert verified.topic == "PlatformNotification"
