"""eBay's public-key answer, the compact body, the signature check and the endpoint check,
tested directly: each test is aimed at a mutant that survived ``make mutate``
(docs/testing.md).

The key service's answer has the shape of ``GET /commerce/notification/v1/public_key/{kid}``
(https://developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey,
checked 2026-12-04: ``{"algorithm": "ECDSA", "digest": "SHA1", "key": "-----BEGIN PUBLIC
KEY-----..."}``). The non-ECDSA key is the Ed25519 key of eBay's digital-signature example
(fixtures/ebay_digital_signature_example.json); the P-256 key is made here (a key, not a
signature: nothing is signed with it). The signatures checked are eBay's own known answers:
the test vectors of eBay's Node.js event-notification SDK
(fixtures/ebay_notification_sdk_test.json, described in fixtures/README.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from disputeflow import Connection, InboundRequest
from disputeflow.core.testing import make_connection
from disputeflow.plugins.ebay.errors import KeyServiceError, SignatureMismatch
from disputeflow.plugins.ebay.marketplace import EbayMarketplace
from disputeflow.plugins.ebay.signatures import (
    MAX_COMPACTED_BODY,
    MAX_DEPTH,
    bounded,
    compact,
    load_public_key,
    parse_header,
    public_key_answer,
    sign,
    verify,
)
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
    with pytest.raises(
        KeyServiceError, match=r"^eBay's key service answered no public key$"
    ) as info:
        load_public_key(answer)
    assert info.value.transient is True


def test_an_unreadable_key_is_a_transient_key_service_error():
    answer = {"key": "-----BEGIN PUBLIC KEY-----@@not base64@@-----END PUBLIC KEY-----"}
    with pytest.raises(KeyServiceError, match=r"^eBay's public key cannot be read$") as info:
        load_public_key(answer)
    assert info.value.transient is True


def test_a_key_that_is_not_ecdsa_is_refused():
    answer = {"key": EBAY_SIGNATURE_EXAMPLE["public_key_pem"]}  # Ed25519
    with pytest.raises(KeyServiceError, match=r"^eBay's public key is not an ECDSA key$") as info:
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


# -- eBay's own known answers (fixtures/ebay_notification_sdk_test.json) --------------------

SDK = json.loads(fixture_bytes("ebay_notification_sdk_test.json"))
VALID = SDK["VALID"]
MISMATCH = "^X-EBAY-SIGNATURE does not match the body$"


def sdk_body(case="VALID"):
    """The message as eBay's SDK verifies it (``JSON.stringify``: compact, keys in order)."""
    return json.dumps(SDK[case]["message"], separators=(",", ":")).encode()


def sdk_header(**changes):
    """VALID's X-EBAY-SIGNATURE with fields changed (``None``: taken out). The header's
    fields are not signed: only the body is."""
    fields = json.loads(base64.b64decode(VALID["signature"]))
    fields.update(changes)
    present = {name: value for name, value in fields.items() if value is not None}
    return parse_header(base64.b64encode(json.dumps(present).encode()).decode())


def sdk_key(**changes):
    """VALID's public-key answer with fields changed (``None``: taken out)."""
    answer = {**VALID["response"], **changes}
    return load_public_key({name: value for name, value in answer.items() if value is not None})


def test_ebays_valid_vector_verifies_compact_and_pretty_printed():
    header = parse_header(VALID["signature"])
    assert (header.kid, header.digest) == ("9936261a-7d7b-4621-a0f1-96ccb428af49", "SHA1")
    key = load_public_key(VALID["response"])
    verify(key, header, sdk_body())
    verify(key, header, fixture_bytes("notification_marketplace_account_deletion.json"))


@pytest.mark.parametrize("case", ["INVALID", "SIGNATURE_MISMATCH"])
def test_ebays_forged_vectors_are_mismatches_that_say_so(case):
    vector = SDK[case]
    key, header = load_public_key(vector["response"]), parse_header(vector["signature"])
    with pytest.raises(SignatureMismatch, match=MISMATCH):
        verify(key, header, sdk_body(case))


def test_a_body_that_is_not_json_is_a_mismatch_not_a_crash():
    with pytest.raises(SignatureMismatch, match=MISMATCH):
        verify(sdk_key(), sdk_header(), sdk_body()[:-1])


@pytest.mark.parametrize(
    ("header_digest", "key_digest", "verifies"),
    [
        ("SHA1", "SHA1", True),
        (None, None, True),
        (None, "SHA1", True),
        ("SHA1", "SHA256", True),
        ("SHA256", "SHA1", False),
        (None, "SHA256", False),
    ],
    ids=["both SHA1", "neither: SHA1", "the key's", "the header's first", "header SHA256",
         "key SHA256"],
)  # fmt: skip
def test_the_digest_is_the_headers_else_the_keys_else_sha1(header_digest, key_digest, verifies):
    """eBay's vector is signed with SHA1: it verifies exactly when SHA1 is the digest used."""
    key, header = sdk_key(digest=key_digest), sdk_header(digest=header_digest)
    assert (header.digest, key.digest) == (header_digest, key_digest)
    if verifies:
        verify(key, header, sdk_body())
    else:
        with pytest.raises(SignatureMismatch, match=MISMATCH):
            verify(key, header, sdk_body())


def test_sign_writes_the_header_fields_ebay_writes():
    """The samples' headers (``disputeflow demo``) have the fields of eBay's own header."""
    ebays = json.loads(base64.b64decode(VALID["signature"]))
    key = ec.generate_private_key(ec.SECP256R1())
    ours = json.loads(base64.b64decode(sign(b"{}", key, "kid-1")))
    assert sorted(ours) == sorted(ebays)
    assert (ours["alg"], ours["digest"], ours["kid"]) == (ebays["alg"], ebays["digest"], "kid-1")


def test_public_key_answer_has_the_shape_of_ebays():
    """The mocked key service of the tests and samples answers as eBay's does."""
    private = ec.generate_private_key(ec.SECP256R1())
    answer = public_key_answer(private)
    assert sorted(answer) == sorted(VALID["response"])
    assert (answer["algorithm"], answer["digest"]) == (
        VALID["response"]["algorithm"],
        VALID["response"]["digest"],
    )
    loaded = load_public_key(answer)
    assert loaded.key.public_numbers() == private.public_key().public_numbers()


@pytest.mark.parametrize(
    ("body", "within"),
    [
        (b"[" + b" " * (MAX_COMPACTED_BODY - 2) + b"]", True),
        (b"[" + b" " * (MAX_COMPACTED_BODY - 1) + b"]", False),
        (b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, True),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), False),
    ],
    ids=["256 KiB", "a byte more", "32 deep", "33 deep"],
)
def test_bounded_stops_at_256_kib_and_32_deep(body, within):
    assert bounded(body) is within
