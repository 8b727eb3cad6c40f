"""RFC 9421 signatures as eBay wants them, against eBay's own published example.

The vector (key, JWE, request, expected headers) is copied from eBay's
github.com/eBay/digital-signature-verification-ebay-api (README "Testing a Signature" and
``ApplicationTests.testVerificationEd25519``), in fixtures/ebay_digital_signature_example.json.
Ed25519 is deterministic: our signer must produce eBay's exact bytes."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from disputeflow import MarketplaceError
from disputeflow.plugins.ebay.httpsig import (
    content_digest,
    load_private_key,
    sign_request,
    signature_base,
)
from disputeflow.plugins.ebay.signing import signs_for
from tests.plugins.ebay.conftest import EBAY_SIGNATURE_EXAMPLE as EXAMPLE


def _sign_example(**changes):
    request = {**EXAMPLE["request"], **changes}
    return sign_request(
        request["method"],
        request["url"],
        request["body"].encode(),
        jwe=EXAMPLE["jwe"],
        private_key=load_private_key(EXAMPLE["private_key_pem"]),
        created=request["created"],
    )


def test_ebays_published_example_is_reproduced_exactly():
    headers = _sign_example()
    assert headers["Content-Digest"] == EXAMPLE["expected"]["Content-Digest"]
    assert headers["Signature-Input"] == EXAMPLE["expected"]["Signature-Input"]
    assert headers["Signature"] == EXAMPLE["expected"]["Signature"]
    assert headers["x-ebay-signature-key"] == EXAMPLE["jwe"]


def test_content_digest_matches_rfc_9530s_own_example():
    # RFC 9530 section 2 digests {"hello": "world"} to this same value
    assert content_digest(b'{"hello": "world"}') == (
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    )


def test_the_signature_verifies_with_ebays_public_key_and_binds_the_request():
    public = serialization.load_pem_public_key(EXAMPLE["public_key_pem"].encode())
    headers = _sign_example()
    components = ("content-digest", "x-ebay-signature-key", "@method", "@path", "@authority")
    params = headers["Signature-Input"].removeprefix("sig1=")
    base = signature_base("POST", EXAMPLE["request"]["url"], headers, components, params)
    signature = base64.b64decode(headers["Signature"].removeprefix("sig1=:").removesuffix(":"))
    public.verify(signature, base.encode())
    other = signature_base("POST", "http://localhost:8080/other", headers, components, params)
    with pytest.raises(InvalidSignature):
        public.verify(signature, other.encode())
    assert _sign_example(created=1658440309)["Signature"] != headers["Signature"]


def test_a_call_without_a_body_signs_no_content_digest():
    headers = sign_request(
        "POST",
        "https://api.ebay.com/post-order/v2/cancellation/5100012345/approve",
        None,
        jwe=EXAMPLE["jwe"],
        private_key=load_private_key(EXAMPLE["private_key_pem"]),
        created=1658440308,
    )
    assert "Content-Digest" not in headers
    assert headers["Signature-Input"] == (
        'sig1=("x-ebay-signature-key" "@method" "@path" "@authority");created=1658440308'
    )


def test_ebays_bare_base64_private_key_is_read_too():
    pem = EXAMPLE["private_key_pem"]
    bare = "".join(line for line in pem.splitlines() if "-----" not in line)
    assert load_private_key(bare).private_bytes_raw() == load_private_key(pem).private_bytes_raw()
    with pytest.raises(MarketplaceError, match="cannot be read"):
        load_private_key("not a key")


@pytest.mark.parametrize(
    ("settings", "signs"),
    [
        ({"marketplace_id": "EBAY_DE"}, True),
        ({"marketplace_id": "EBAY_GB"}, True),
        ({"marketplace_id": "EBAY_US"}, False),
        ({"marketplace_id": "EBAY_US", "eu_uk_seller": True}, True),
        ({"marketplace_id": "EBAY_DE", "eu_uk_seller": False}, False),
    ],
)
def test_signing_follows_the_marketplace_unless_the_connection_says(settings, signs):
    assert signs_for(settings) is signs
