"""The WooCommerce body encoding, the ping and body parsing, tested directly: each test is
aimed at a mutant that survived ``make mutate`` (docs/testing.md).

WooCommerce sends ``wp_json_encode($payload)`` (``WC_Webhook::deliver``), which is PHP's
``json_encode`` with flags 0: slashes escaped as ``\\/``, non-ASCII as ``\\uXXXX``, no
spaces (https://www.php.net/manual/en/function.json-encode.php and
https://developer.wordpress.org/reference/functions/wp_json_encode/; cited, not re-read
in this project's stored copies).
The ping is the ``webhook_id=N`` form post of ``WC_Webhook::deliver_ping``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from disputeflow import InboundRequest, SnapshotError
from disputeflow.plugins.woocommerce.webhooks import (
    answer_ping,
    parse_body,
    wp_json_encode,
    wp_specialchars_decode,
)


def test_the_body_is_encoded_as_php_json_encode_does():
    payload = {"href": "https://shop.example/wp-json/wc/v3/orders/7", "name": "Zoë", "n": [1, 2]}
    assert wp_json_encode(payload) == (
        b'{"href":"https:\\/\\/shop.example\\/wp-json\\/wc\\/v3\\/orders\\/7",'
        b'"name":"Zo\\u00eb","n":[1,2]}'
    )


def test_decimals_are_encoded_as_strings():
    assert wp_json_encode({"total": Decimal("12.50")}) == b'{"total":"12.50"}'


def test_the_ping_is_answered_200_with_an_empty_body():
    answer = answer_ping(InboundRequest("POST", {}, b"webhook_id=42"))
    assert answer is not None
    assert (answer.body, answer.status, answer.webhook_verified) == (b"", 200, False)
    assert answer.content_type == "text/plain"


@pytest.mark.parametrize(
    "headers",
    [{"X-WC-Webhook-Signature": "abc="}, {"X-WC-Webhook-Topic": "order.updated"}],
    ids=["signed", "with a topic"],
)
def test_a_delivery_with_a_signature_or_topic_is_not_a_ping(headers):
    assert answer_ping(InboundRequest("POST", headers, b"webhook_id=42")) is None


def test_decimals_in_a_body_are_parsed_exactly():
    parsed = parse_body(b'{"total":12.10,"rate":0.1}')
    assert parsed == {"total": Decimal("12.10"), "rate": Decimal("0.1")}
    assert isinstance(parsed["total"], Decimal)


def test_a_body_that_is_not_json_is_a_snapshot_error():
    with pytest.raises(SnapshotError, match="not JSON"):
        parse_body(b"<html>")


def test_a_stored_secret_is_decoded_as_wordpress_does():
    """``wp_specialchars_decode``: ``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``
    (https://developer.wordpress.org/reference/functions/wp_specialchars_decode/,
    cited, not re-read in this project's stored copies)."""
    assert wp_specialchars_decode("a&amp;b&lt;c&amp;lt;") == "a&b<c&lt;"
