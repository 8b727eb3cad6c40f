"""``Stripe-Signature`` against known answers from Stripe's own libraries.

The oracle is stripe/stripe-dotnet's ``EventUtilityTest`` (d330362): the body in
``fixtures/stripe_dotnet_event_test_signature.json`` signed at 1533204620 with the secret
``webhook_secret`` has ``v1=2220f87e...c3c7``. The behaviours around it (tolerance 300 s,
only old timestamps refused, any of several ``v1`` may match, ``v0`` ignored, a header
without ``t``) are those stripe-python's ``tests/test_webhook.py`` (6c6e373) and stripe-node's
``src/Webhooks.ts`` (6639421) test and implement.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from disputeflow import Connection, InboundRequest, SignatureError
from disputeflow.plugins.stripe.webhooks import TOLERANCE_SECONDS, encode, signature, verify
from tests.plugins.stripe.conftest import FIXTURES

BODY = (FIXTURES / "stripe_dotnet_event_test_signature.json").read_bytes()
TIMESTAMP = 1533204620
DOTNET_SECRET = "webhook_secret"
V1 = "2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7"
V0 = "63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef"
HEADER = f"t={TIMESTAMP},v1={V1},v0={V0}"  # exactly as EventUtilityTest builds it


def connection(secret: str = DOTNET_SECRET) -> Connection:
    """A connection holding the library test's secret (it has no whsec_ prefix, so it is
    built here as stored, not through the settings schema)."""
    return Connection(
        id="con_vector",
        platform="stripe",
        name="vector",
        settings={"api_key": "rk_test_x", "webhook_secret": secret},
        created_at=datetime(2018, 8, 1, tzinfo=UTC),
    )


def request(header: str = HEADER, body: bytes = BODY) -> InboundRequest:
    return InboundRequest("POST", {"Stripe-Signature": header}, body)


def at(seconds_after: int) -> datetime:
    return datetime.fromtimestamp(TIMESTAMP + seconds_after, UTC)


def test_the_signer_gives_stripe_dotnets_known_answer():
    assert signature(DOTNET_SECRET, TIMESTAMP, BODY) == V1


def test_the_library_vector_verifies_and_names_its_event():
    verified = verify(connection(), request(), at(100))  # EventUtilityTest: timestamp + 100
    assert verified.dedup_key == "evt_123"
    assert verified.topic == "customer.created"
    assert verified.occurred_at == datetime(2018, 8, 2, 10, 10, 20, tzinfo=UTC)


def test_an_outdated_timestamp_is_refused_after_the_tolerance():
    verify(connection(), request(), at(TOLERANCE_SECONDS))  # exactly 300 s old: accepted
    with pytest.raises(SignatureError, match="older than 300"):
        verify(connection(), request(), at(TOLERANCE_SECONDS + 100))  # RejectOutdatedTimestamp


def test_a_timestamp_from_the_future_is_not_refused_as_the_libraries_do_not():
    verify(connection(), request(), at(-3600))


def test_a_changed_body_is_refused():  # RejectIncorrectSignature
    with pytest.raises(SignatureError, match="does not match"):
        verify(connection(), request(body=BODY + b"this_changes_the_json"), at(100))


def test_the_wrong_secret_is_refused():
    with pytest.raises(SignatureError):
        verify(connection("whsec_not_the_secret"), request(), at(100))


def test_any_secret_of_a_rotation_may_sign():
    """While Stripe rolls a secret it signs with the old and the new one."""
    rotating = connection(f"whsec_the_new_one_0123,{DOTNET_SECRET}")
    assert verify(rotating, request(), at(100)).dedup_key == "evt_123"


def test_any_v1_of_the_header_may_match():  # stripe-python test_header_contains_valid_signature
    verify(connection(), request(f"t={TIMESTAMP},v1=bad_signature,v1={V1}"), at(100))


def test_v0_alone_is_not_enough():  # stripe-python: no signatures with expected scheme v1
    with pytest.raises(SignatureError, match="no v1"):
        verify(connection(), request(f"t={TIMESTAMP},v0={V0}"), at(100))


@pytest.mark.parametrize(
    "header",
    [
        "bad_header",  # stripe-python test_raise_on_invalid_header
        "i'm not even a real signature header",  # test_raise_on_malformed_header
        f"v1={V1}",  # no timestamp
        f"t=abc,v1={V1}",
        f"t={TIMESTAMP + 1},v1={V1}",  # another timestamp than the one signed
        "",
    ],
)
def test_malformed_or_mismatched_headers_are_refused(header):
    with pytest.raises(SignatureError):
        verify(connection(), request(header), at(100))


def test_a_signed_body_that_is_not_an_event_is_refused():
    body = b'{"id": "cus_123", "object": "customer"}'
    header = f"t={TIMESTAMP},v1={signature(DOTNET_SECRET, TIMESTAMP, body)}"
    with pytest.raises(SignatureError, match="not a Stripe event"):
        verify(connection(), request(header, body), at(1))


def test_the_header_name_is_case_insensitive():
    lower = replace(request(), headers={"stripe-signature": HEADER})
    assert verify(connection(), lower, at(1)).topic == "customer.created"


# -- aimed at mutants that survived `make mutate` (docs/testing.md) ---------------------------


def _signed(body: bytes) -> InboundRequest:
    """``body`` signed at TIMESTAMP with the library test's secret (the signer itself is
    pinned by stripe-dotnet's known answer above)."""
    return request(f"t={TIMESTAMP},v1={signature(DOTNET_SECRET, TIMESTAMP, body)}", body)


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        (None, BODY, "missing Stripe-Signature"),
        (f"v1={V1}", BODY, "Stripe-Signature names no timestamp (t=)"),
        (f"t={TIMESTAMP},v0={V0}", BODY, "Stripe-Signature has no v1 signature"),
    ],
)
def test_each_refusal_of_the_header_says_what_is_wrong(header, body, message):
    sent = InboundRequest("POST", {}, body) if header is None else request(header, body)
    with pytest.raises(SignatureError) as refused:
        verify(connection(), sent, at(100))
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the signed body is not JSON"),
        (b'{"object": "charge", "id": "ch_1"}', "the signed body is not a Stripe event"),
        (
            b'{"object": "event", "id": 123, "type": "x", "created": 1}',
            "the signed event has no id",
        ),
        (b'{"object": "event", "id": "evt_1", "type": ""}', "the signed event has no type"),
        (
            b'{"object": "event", "id": "evt_1", "type": "x"}',
            "the signed event has no created time",
        ),
    ],
)
def test_a_signed_body_that_is_no_event_is_refused_by_name(body, message):
    with pytest.raises(SignatureError) as refused:
        verify(connection(), _signed(body), at(100))
    assert refused.value.message == message


def test_a_v1_value_holding_an_equals_sign_is_still_a_v1_signature():
    """Stripe's libraries read each item's name up to its first ``=`` (stripe-node
    ``parseHeader``: ``item.split('=')``, ``kv[0]`` the name; stripe-python ``split("=", 2)``),
    so ``v1=abc=def`` names a v1 signature: one that does not match, not a missing one."""
    with pytest.raises(SignatureError) as refused:
        verify(connection(), request(f"t={TIMESTAMP},v1=abc=def"), at(100))
    assert refused.value.message == "Stripe-Signature does not match the body"


def test_samples_are_laid_out_as_stripe_sends_its_events():
    """``encode`` writes the sample bodies: two-space indented JSON, the layout of the event
    in stripe-dotnet's signature test (the file's final newline aside)."""
    assert encode(json.loads(BODY)) == BODY.removesuffix(b"\n")
