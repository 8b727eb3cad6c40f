"""parse_header: the ``X-EBAY-SIGNATURE`` header is base64 of JSON ``{"alg": "ecdsa",
"kid": ..., "signature": base64, "digest": "SHA1"}`` (eBay's event-notification SDKs and
https://developer.ebay.com/api-docs/commerce/notification/overview.html, checked
2026-12-04). Each test is aimed at a mutant that survived ``make mutate``
(docs/testing.md); the headers are hand-built to one defect each, nothing is signed."""

from __future__ import annotations

import base64
import json

import pytest

from disputeflow.plugins.ebay.errors import SignatureMismatch
from disputeflow.plugins.ebay.signatures import MAX_HEADER, parse_header

SIGNATURE = base64.b64encode(b"\x30\x44r-and-s").decode()


def header(**fields):
    document = {"alg": "ecdsa", "kid": "kid-1", "signature": SIGNATURE, "digest": "SHA1"}
    document.update(fields)
    document = {key: value for key, value in document.items() if value is not None}
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_a_well_formed_header_is_read():
    parsed = parse_header(header())
    assert (parsed.kid, parsed.signature, parsed.digest) == ("kid-1", b"\x30\x44r-and-s", "SHA1")


def test_a_header_of_exactly_the_longest_length_is_read():
    kid = "k"
    while len(header(kid=kid)) < MAX_HEADER:
        kid += "k"
    assert len(header(kid=kid)) == MAX_HEADER
    assert parse_header(header(kid=kid)).kid == kid


@pytest.mark.parametrize(
    ("fields", "digest"),
    [({"alg": None}, "SHA1"), ({"alg": "ECDSA"}, "SHA1"), ({"digest": "sha-256"}, "SHA256"),
     ({"digest": None}, None)],
    ids=["alg absent means ecdsa", "alg in capitals", "digest spelled sha-256", "no digest"],
)  # fmt: skip
def test_accepted_variants(fields, digest):
    assert parse_header(header(**fields)).digest == digest


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "^missing X-EBAY-SIGNATURE$"),
        ("", "^missing X-EBAY-SIGNATURE$"),
        ("A" * (MAX_HEADER + 1), "^X-EBAY-SIGNATURE is too long to be eBay's$"),
        ("not base64!", "^X-EBAY-SIGNATURE is not eBay's signature header$"),
        (header(signature="not base64!"), "is not eBay's signature header$"),
        (header(kid=None), "is not eBay's signature header$"),
        (base64.b64encode(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]").decode(),
         "is not eBay's signature header$"),
        (header(kid=""), "^X-EBAY-SIGNATURE names no ECDSA key$"),
        (header(kid=7), "^X-EBAY-SIGNATURE names no ECDSA key$"),
        (header(alg="rsa"), "^X-EBAY-SIGNATURE names no ECDSA key$"),
        (header(digest="MD5"), "^unsupported signature digest 'MD5'$"),
        (header() + "!", "^X-EBAY-SIGNATURE is not eBay's signature header$"),
        (header(signature=SIGNATURE + "!"), "^X-EBAY-SIGNATURE is not eBay's signature header$"),
    ],
    ids=["none", "empty", "too long", "not base64", "signature not base64", "no kid",
         "too deep", "empty kid", "kid not text", "rsa", "md5", "a stray character",
         "a stray character in the signature"],
)  # fmt: skip
def test_each_unreadable_header_is_a_mismatch_that_says_why(value, message):
    with pytest.raises(SignatureMismatch, match=message):
        parse_header(value)
