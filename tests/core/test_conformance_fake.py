"""The conformance kit run against the fake marketplace, and proof that it catches bad adapters."""

from __future__ import annotations

import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
import requests
import responses
from marshmallow import fields
from responses import matchers

from disputeflow import (
    ActionRequest,
    ActionResult,
    CaseSnapshot,
    Connection,
    InvalidInputError,
    MarketplaceError,
    Money,
    SignatureError,
    StoredDelivery,
    UnsupportedError,
    VerifiedDelivery,
)
from disputeflow.core.testing import MarketplaceAdapterTests, make_connection, minimal_case
from disputeflow.core.testing.probes import looks_like_credential, no_network, with_header
from disputeflow.core.testing.support import _is_aware, sample_cases
from tests.fakes.marketplace import (
    FakeMarketplace,
    FakeSettingsSchema,
    make_request,
    retry_after_seconds,
    sign,
)

pytest_plugins = ["pytester"]


class TestFakeMarketplace(MarketplaceAdapterTests):
    @pytest.fixture
    def marketplace(self):
        return FakeMarketplace()

    @pytest.fixture
    def expected_snapshots(self):
        return {
            "dispute_opened": [
                {
                    "platform": "fake",
                    "object_type": "dispute",
                    "external_id": "1001",
                    "kind": "chargeback",
                    "status": "needs_response",
                    "outcome": None,
                    "category": "not_received",
                    "platform_reason": "not_received",
                    "platform_status": "needs_response",
                    "amount": {"value": "12.50", "currency": "EUR"},
                    "buyer": {"country": "DE"},
                    "opened_at": "2026-03-01T10:00:00Z",
                    "observed_at": "2026-03-01T10:00:00Z",
                    "deadlines": [
                        {
                            "kind": "platform_response",
                            "due_at": "2026-03-15T23:59:59Z",
                            "source": "fake",
                            "party": "merchant",
                        }
                    ],
                }
            ],
            "dispute_won": [
                {
                    "external_id": "1001",
                    "status": "resolved",
                    "outcome": "merchant_favor",
                    "platform_status": "won",
                    "observed_at": "2026-03-20T08:30:00Z",
                    "deadlines": [],
                }
            ],
            "return_requested": [
                {
                    "object_type": "return",
                    "external_id": "2001",
                    "kind": "return",
                    "status": "needs_response",
                    "category": "changed_mind",
                    "amount": {"value": "40.00", "currency": "EUR"},
                    "buyer": {"country": "FR"},
                }
            ],
            "return_refunded": [
                {
                    "object_type": "return",
                    "external_id": "2001",
                    "status": "resolved",
                    "outcome": "buyer_favor",
                    "update_only": True,
                }
            ],
        }

    @pytest.fixture
    def unknown_values_delivery(self, connection):
        payload = {
            "id": "3001",
            "type": "dispute",
            "status": "escalated_to_the_moon",
            "reason": "buyer_saw_a_ghost",
            "amount": "5.00",
            "currency": "EUR",
            "opened_at": "2026-04-01T00:00:00Z",
            "updated_at": "2026-04-01T00:00:00Z",
        }
        return make_request(
            payload,
            secret=connection.settings["signing_secret"],
            shop=connection.settings["shop"],
            delivery_id="dlv-3001-1",
            topic="disputes/create",
        )


# -- the kit catches broken adapters -----------------------------------------------------


class AcceptsAnything(FakeMarketplace):
    """Verifies nothing: any body, any secret, any headers."""

    def verify_delivery(self, connection, request):
        return VerifiedDelivery(request.header("X-Fake-Delivery-Id") or "x", "topic")


class ClockReader(FakeMarketplace):
    """Stamps snapshots with the time of translation, so retranslation differs."""

    calls = 0

    def snapshot(self, payload):
        ClockReader.calls += 1
        return CaseSnapshot.from_dict(
            {**super().snapshot(payload).to_dict(), "revision": ClockReader.calls}
        )


class CrashesOnUnknown(FakeMarketplace):
    """Looks reasons up with ``[]``: an unknown reason is a KeyError."""

    def snapshot(self, payload):
        if payload.get("reason") not in ("not_received", "changed_mind"):
            raise KeyError(payload.get("reason"))
        return super().snapshot(payload)


class ForgetsRawValues(FakeMarketplace):
    """Drops the platform's own reason and status."""

    def translate_delivery(self, connection, delivery):
        snapshots = super().translate_delivery(connection, delivery)
        return [CaseSnapshot.from_dict({**s.to_dict(), "platform_reason": None}) for s in snapshots]


class ClaimsPolicyWithoutIt(FakeMarketplace):
    """Declares return_policy but inherits the refusing default."""

    capabilities = FakeMarketplace.capabilities.__class__(
        **{**FakeMarketplace.capabilities.__dict__, "return_policy": True}
    )


class PollsWithoutDeclaring(FakeMarketplace):
    """Declares no polling, yet list_changes still talks to the network."""

    capabilities = FakeMarketplace.capabilities.__class__(
        **{**FakeMarketplace.capabilities.__dict__, "polling": False}
    )


class RefundsEverything(FakeMarketplace):
    """Tries every action on the platform, declared or not."""

    def perform_action(self, connection, case, action):
        return self._call(connection, "POST", f"/cases/{case.external_id}/actions")


class SharesDedupKeys(FakeMarketplace):
    """One dedup key per shop: every delivery after the first would be dropped."""

    def verify_delivery(self, connection, request):
        verified = super().verify_delivery(connection, request)
        return VerifiedDelivery(connection.settings["shop"], verified.topic, verified.headers)


class LeaksSecret(FakeMarketplace):
    """Keeps the signing secret among the stored headers."""

    def verify_delivery(self, connection, request):
        verified = super().verify_delivery(connection, request)
        headers = {**verified.headers, "X-Secret": connection.settings["signing_secret"]}
        return VerifiedDelivery(verified.dedup_key, verified.topic, headers)


class NoSecret(FakeMarketplace):
    """Has webhooks but no secret setting."""

    @classmethod
    def secret_fields(cls):
        return frozenset()


FAILED = pytest.fail.Exception  # what pytest.raises and pytest.fail raise


class ChecksPresenceOnly(FakeMarketplace):
    """Refuses a delivery without X-Fake-Signature, but never compares its value."""

    def verify_delivery(self, connection, request):
        if not request.header("X-Fake-Signature"):
            raise SignatureError("missing X-Fake-Signature header")
        return AcceptsAnything.verify_delivery(self, connection, request)


class AcceptsTruncated(FakeMarketplace):
    """Compares only as much of the signature as was sent: a prefix passes."""

    def verify_delivery(self, connection, request):
        signature = request.header("X-Fake-Signature") or ""
        expected = sign(request.body, connection.settings["signing_secret"])
        if not signature or not expected.startswith(signature):
            raise SignatureError("bad signature")
        return super().verify_delivery(
            connection, with_header(request, "X-Fake-Signature", expected)
        )


class AcceptsAnyAlgorithm(FakeMarketplace):
    """Accepts an HMAC of the body under any hash algorithm, SHA-1 and MD5 included."""

    def verify_delivery(self, connection, request):
        signature = request.header("X-Fake-Signature") or ""
        key = connection.settings["signing_secret"].encode()
        for algorithm in ("md5", "sha1", "sha512"):
            if hmac.compare_digest(hmac.new(key, request.body, algorithm).hexdigest(), signature):
                expected = sign(request.body, connection.settings["signing_secret"])
                request = with_header(request, "X-Fake-Signature", expected)
        return super().verify_delivery(connection, request)


class ApiKeyInTheClear(FakeMarketplace):
    """Adds an ``api_key`` setting without marking it secret: it would be shown and stored
    in the clear."""

    class settings_schema(FakeSettingsSchema):
        api_key = fields.String(metadata={"description": "API key."})


class SignsOneSampleWrongly(FakeMarketplace):
    """Signs its last sample delivery with another secret than the connection's."""

    def sample_deliveries(self, connection):
        other = replace(connection, settings={**connection.settings, "signing_secret": "other"})
        samples = super().sample_deliveries(connection)
        return [*samples[:-1], super().sample_deliveries(other)[-1]]


class StampsWithTheClock(FakeMarketplace):
    """Takes observed_at from the clock (to the second) instead of the delivery."""

    def snapshot(self, payload):
        now = datetime.now(UTC).replace(microsecond=0)
        return replace(super().snapshot(payload), observed_at=now)


class AdvertisesRefundOnly(FakeMarketplace):
    """Declares refunds of returns, but its perform_action handles chargebacks only."""

    def perform_action(self, connection, case, action):
        if action.type == "refund":
            raise UnsupportedError("refunds are not written yet")
        return super().perform_action(connection, case, action)


class StubsTheRefund(FakeMarketplace):
    """Reports every refund done without asking the platform (a stub left in)."""

    def perform_action(self, connection, case, action):
        if action.type == "refund":
            return ActionResult(message="refunded", refunded=action.amount)
        return super().perform_action(connection, case, action)


class CrashesOnContest(FakeMarketplace):
    """Contest reads a field the case does not have: a KeyError before any call."""

    def perform_action(self, connection, case, action):
        if action.type == "contest":
            raise KeyError("evidence_due_by")
        return super().perform_action(connection, case, action)


class FakesATimeout(FakeMarketplace):
    """Says the platform timed out on accept, a call it never made."""

    def perform_action(self, connection, case, action):
        if action.type == "accept":
            raise MarketplaceError("fake API timed out", transient=True)
        return super().perform_action(connection, case, action)


class CallsTheRealHost(FakeMarketplace):
    """Sends approvals to its own host, whatever the connection's api_base_url says."""

    def perform_action(self, connection, case, action):
        if action.type == "approve_return":
            settings = {**connection.settings, "api_base_url": "https://api.fake.example"}
            connection = replace(connection, settings=settings)
        return super().perform_action(connection, case, action)


class RefusesEverything(FakeMarketplace):
    """Declares five actions and refuses each with a reason before asking anything."""

    def perform_action(self, connection, case, action):
        raise MarketplaceError(f"{action.type} is not written yet")


class RefusesContestWithAReason(FakeMarketplace):
    """Refuses to contest without evidence (a reason, before any call); acts otherwise."""

    def perform_action(self, connection, case, action):
        if action.type == "contest" and not action.evidence:
            raise InvalidInputError("contesting needs evidence")
        return super().perform_action(connection, case, action)


class UpdatesTheUnknown(FakeMarketplace):
    """Marks every return snapshot update-only: nothing in its samples opens a return."""

    def snapshot(self, payload):
        made = super().snapshot(payload)
        return replace(made, update_only=True) if made.object_type == "return" else made


class UpdatesWithoutStatus(FakeMarketplace):
    """Its update-only message states no status: it could not move the case it names."""

    def snapshot(self, payload):
        made = super().snapshot(payload)
        return replace(made, status=None, outcome=None) if made.update_only else made


BROKEN = [
    (AcceptsAnything, "test_forged_body_rejected", FAILED),
    (AcceptsAnything, "test_wrong_secret_rejected", FAILED),
    (AcceptsAnything, "test_forged_signature_rejected", AssertionError),
    (ClockReader, "test_retranslation_is_idempotent", AssertionError),
    (CrashesOnUnknown, "test_unknown_values_do_not_crash", KeyError),
    (ForgetsRawValues, "test_unknown_values_do_not_crash", AssertionError),
    (ClaimsPolicyWithoutIt, "test_declared_capabilities_implemented", AssertionError),
    (PollsWithoutDeclaring, "test_undeclared_capabilities_unsupported", FAILED),
    (RefundsEverything, "test_undeclared_capabilities_unsupported", FAILED),
    (SharesDedupKeys, "test_distinct_deliveries_distinct_dedup_keys", AssertionError),
    (LeaksSecret, "test_secrets_not_kept", AssertionError),
    (NoSecret, "test_secret_fields_exist_in_schema", AssertionError),
    (UpdatesTheUnknown, "test_update_only_snapshots_update_known_objects", AssertionError),
    (UpdatesWithoutStatus, "test_update_only_snapshots_update_known_objects", AssertionError),
    (ChecksPresenceOnly, "test_forged_signature_rejected", AssertionError),
    (AcceptsTruncated, "test_forged_signature_rejected", AssertionError),
    (AcceptsAnyAlgorithm, "test_forged_signature_rejected", AssertionError),
    (ApiKeyInTheClear, "test_credential_settings_marked_secret", AssertionError),
    (SignsOneSampleWrongly, "test_sample_deliveries_verify", FAILED),
    (StampsWithTheClock, "test_translation_ignores_wall_clock", AssertionError),
    (AdvertisesRefundOnly, "test_declared_actions_implemented", FAILED),
    (StubsTheRefund, "test_declared_actions_implemented", AssertionError),
    (CrashesOnContest, "test_declared_actions_implemented", AssertionError),
    (FakesATimeout, "test_declared_actions_implemented", AssertionError),
    (CallsTheRealHost, "test_declared_actions_implemented", AssertionError),
    (RefusesEverything, "test_declared_actions_implemented", AssertionError),
]

# The message each new named failure gives, so the right check is what caught it.
NAMED_FAILURES = {
    ChecksPresenceOnly: "still verify: no signature is checked",
    AcceptsTruncated: "X-Fake-Signature truncated to half still verifies",
    AcceptsAnyAlgorithm: r"X-Fake-Signature HMAC-MD5 \(hex\) still verifies",
    ApiKeyInTheClear: "setting 'api_key' looks like a credential",
    SignsOneSampleWrongly: "sample delivery 'return_refunded' does not verify",
    StampsWithTheClock: "reads the wall clock",
    AdvertisesRefundOnly: "refund is declared for return cases but not implemented",
    StubsTheRefund: r"refund on return case 2001 asked nothing, ended ActionResult\(",
    CrashesOnContest: r"contest on chargeback case 1001 asked nothing, ended KeyError",
    FakesATimeout: r"accept on chargeback case 1001 asked nothing, ended MarketplaceError",
    CallsTheRealHost: r"POST https://api\.fake\.example/returns/2001/actions",
    RefusesEverything: "no action asks the platform",
}


def run_kit_test(adapter, test_name):
    """Call one kit test the way pytest would, with the fixtures built by hand."""
    suite = TestFakeMarketplace()
    settings = adapter.example_settings()
    connection = make_connection(adapter, settings)
    available = {
        "marketplace": adapter,
        "settings": settings,
        "action_settings": settings,
        "connection": connection,
        "samples": adapter.sample_deliveries(connection),
        "expected_snapshots": {},
        "unknown_values_delivery": make_request(
            {
                "id": "3001",
                "type": "dispute",
                "status": "escalated_to_the_moon",
                "reason": "buyer_saw_a_ghost",
                "amount": "5.00",
                "currency": "EUR",
                "opened_at": "2026-04-01T00:00:00Z",
                "updated_at": "2026-04-01T00:00:00Z",
            },
            secret=settings["signing_secret"],
            shop=settings["shop"],
            delivery_id="dlv-3001-1",
            topic="disputes/create",
        ),
    }
    test = getattr(suite, test_name)
    wanted = test.__code__.co_varnames[1 : test.__code__.co_argcount]
    test(**{name: available[name] for name in wanted})


@pytest.mark.parametrize("test_name", sorted({name for _, name, _ in BROKEN}))
def test_kit_passes_the_fake(test_name):
    run_kit_test(FakeMarketplace(), test_name)


@pytest.mark.parametrize(
    ("adapter_class", "test_name", "error"), BROKEN, ids=[f"{a.__name__}-{t}" for a, t, _ in BROKEN]
)
def test_kit_catches_broken_adapter(adapter_class, test_name, error):
    """Each broken adapter fails the kit test aimed at its defect (and passes the fake)."""
    with pytest.raises(error):
        run_kit_test(adapter_class(), test_name)


@pytest.mark.parametrize("adapter_class", list(NAMED_FAILURES), ids=lambda a: a.__name__)
def test_kit_names_the_failure(adapter_class):
    test_name = next(name for adapter, name, _ in BROKEN if adapter is adapter_class)
    with pytest.raises((AssertionError, FAILED), match=NAMED_FAILURES[adapter_class]):
        run_kit_test(adapter_class(), test_name)


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("api_key", True),
        ("client_secret", True),
        ("accessToken", True),
        ("webhook-secret", True),
        ("password", True),
        ("credentials", True),
        ("access_token_expires_at", False),
        ("signing_key_id", False),
        ("monkey", False),
        ("keyword", False),
        ("shop", False),
    ],
)
def test_credential_names(name, credential):
    assert looks_like_credential(name) is credential


def test_a_refusal_with_a_reason_before_any_call_passes():
    """Refusing an action for a stated reason (InvalidInputError) is not a stub."""
    run_kit_test(RefusesContestWithAReason(), "test_declared_actions_implemented")


def test_declared_actions_are_tried_on_cases_the_samples_open():
    """The fake's samples open dispute 1001 and return 2001: the actions go to those."""
    adapter = FakeMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    cases = sample_cases(adapter, connection, adapter.sample_deliveries(connection))
    assert {kind: case.external_id for kind, case in cases.items()} == {
        "chargeback": "1001",
        "return": "2001",
    }
    assert cases["chargeback"].status == "resolved"  # won: the samples show no open dispute


def test_credential_rule_accepts_explicit_not_secret():
    """A credential-looking name marked {"secret": False} is declared not to be one."""

    class KeyIdSettings(FakeMarketplace):
        class settings_schema(FakeSettingsSchema):
            public_key = fields.String(metadata={"secret": False})

    run_kit_test(KeyIdSettings(), "test_credential_settings_marked_secret")


def test_aware_check_refuses_none_and_naive():
    assert not _is_aware(None)
    assert not _is_aware(datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose
    assert _is_aware(datetime(2026, 1, 1, tzinfo=UTC))


def test_declared_actions_never_reach_the_network():
    """The offline check of declared actions refuses even a direct connection."""
    with no_network(), pytest.raises(requests.ConnectionError):
        requests.get("http://example.org/", timeout=1)


def test_kit_reports_translation_mismatch():
    suite = TestFakeMarketplace()
    adapter = FakeMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    samples = adapter.sample_deliveries(connection)
    expected = {s.name: [{"kind": "chargeback"}] for s in samples}
    with pytest.raises(AssertionError, match=r"return_requested\[0\]: kind: expected"):
        suite.test_translation_matches_expected(adapter, connection, samples, expected)


def test_kit_reports_unknown_expected_key():
    suite = TestFakeMarketplace()
    adapter = FakeMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    samples = adapter.sample_deliveries(connection)
    expected = {s.name: [{"no_such_key": 1}] for s in samples}
    with pytest.raises(AssertionError, match="no_such_key: no such key"):
        suite.test_translation_matches_expected(adapter, connection, samples, expected)


def test_skip_list_skips_with_reason():
    class Skipping(TestFakeMarketplace):
        tests_to_skip: ClassVar = {"the reason shown": ["test_name_is_valid"]}

    with pytest.raises(pytest.skip.Exception, match="the reason shown"):
        Skipping().check_tests_to_skip("test_name_is_valid")
    Skipping().check_tests_to_skip("test_capabilities_declared")  # not listed: runs


def test_skip_list_unknown_name_fails():
    class Misnamed(TestFakeMarketplace):
        tests_to_skip: ClassVar = {"typo": ["test_no_such_test"]}

    with pytest.raises(pytest.fail.Exception, match="test_no_such_test"):
        Misnamed().check_tests_to_skip("test_name_is_valid")


KIT_USER_MODULE = """
from disputeflow.core.testing import MarketplaceAdapterTests
from tests.core import test_conformance_fake as fake_suite


class TestIncomplete(MarketplaceAdapterTests):
    pass


class TestSkipping(fake_suite.TestFakeMarketplace):
    tests_to_skip = {"skipped for a documented reason": ["test_forged_body_rejected"]}
"""


def test_kit_used_as_a_base_class(pytester):
    """End to end, as a plugin's test module uses it: missing fixtures error out with
    "must be overridden", and tests_to_skip skips with its reason."""
    pytester.makepyfile(test_kit_user=KIT_USER_MODULE)
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    kit_tests = [n for n in dir(MarketplaceAdapterTests) if n.startswith("test_")]
    result.assert_outcomes(passed=len(kit_tests) - 1, skipped=1, errors=len(kit_tests))
    result.stdout.fnmatch_lines(["*NotImplementedError: must be overridden*"])
    result.stdout.fnmatch_lines(["*skipped for a documented reason*"])


# -- the fake's own behaviour beyond the kit ------------------------------------------------


def test_fake_rejects_other_shop():
    adapter = FakeMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    request = make_request(
        {"id": "1"},
        secret=connection.settings["signing_secret"],
        shop="another-shop",
        delivery_id="d",
        topic="t",
    )
    with pytest.raises(SignatureError, match="shop"):
        adapter.verify_delivery(connection, request)


def test_fake_keeps_only_routing_headers():
    adapter = FakeMarketplace()
    connection = make_connection(adapter, adapter.example_settings())
    sample = adapter.sample_deliveries(connection)[0]
    verified = adapter.verify_delivery(connection, sample.request)
    assert set(verified.headers) == {"X-Fake-Delivery-Id", "X-Fake-Topic"}
    assert json.loads(sample.request.body)["id"] == "1001"


def test_fake_unknown_type_is_a_snapshot_error():
    from disputeflow import SnapshotError

    adapter = FakeMarketplace()
    connection: Connection = make_connection(adapter, adapter.example_settings())
    delivery = StoredDelivery(
        "dlv",
        connection.id,
        "fake",
        "t",
        "k",
        {},
        b'{"id": "1", "type": "parcel"}',
        connection.created_at,
    )
    with pytest.raises(SnapshotError, match="malformed fake object"):
        adapter.translate_delivery(connection, delivery)


def test_kit_asserts_are_rewritten():
    """Failing kit checks show their values, as asserts in the plugin's own tests do."""
    from disputeflow.core.testing import marketplace as kit

    assert type(kit.__loader__).__name__ == "AssertionRewritingHook"


# -- the fake's outbound calls (polling, actions, error mapping) ------------------------------

API = "http://fake-api.test"


@pytest.fixture
def api_connection():
    adapter = FakeMarketplace()
    return make_connection(adapter, {**adapter.example_settings(), "api_base_url": API})


def fake_object(object_id, status="needs_response"):
    return {
        "id": object_id,
        "type": "dispute",
        "status": status,
        "reason": "fraudulent",
        "amount": "9.99",
        "currency": "EUR",
        "opened_at": "2026-03-01T10:00:00Z",
        "updated_at": "2026-03-01T11:00:00Z",
    }


@responses.activate
def test_fake_list_changes_pages_through_cursors(api_connection):
    responses.get(
        f"{API}/cases",
        json={"items": [fake_object("1")], "next_cursor": "c1", "has_more": True},
        match=[matchers.query_param_matcher({"since": "c0"})],
    )
    responses.get(
        f"{API}/cases",
        json={"items": [fake_object("2", "won")], "next_cursor": "c2", "has_more": False},
        match=[matchers.query_param_matcher({"since": "c1"})],
    )
    pages = list(FakeMarketplace().list_changes(api_connection, "c0"))
    assert [page.cursor for page in pages] == ["c1", "c2"]
    assert [[s.external_id for s in page.snapshots] for page in pages] == [["1"], ["2"]]
    assert pages[1].snapshots[0].outcome == "merchant_favor"


@responses.activate
def test_fake_full_sync_starts_with_empty_since(api_connection):
    responses.get(
        f"{API}/cases",
        json={"items": [], "next_cursor": None, "has_more": False},
        match=[matchers.query_param_matcher({"since": ""})],
    )
    (page,) = FakeMarketplace().list_changes(api_connection, None)
    assert page.snapshots == []
    assert page.cursor is None


@responses.activate
def test_fake_action_sends_idempotency_key(api_connection):
    responses.post(
        f"{API}/returns/2001/actions",
        json={"id": "re_1", "case": {**fake_object("2001", "refunded"), "type": "return"}},
        match=[
            matchers.header_matcher({"Idempotency-Key": "idem-42"}),
            matchers.json_params_matcher(
                {"type": "refund", "amount": {"value": "40.00", "currency": "EUR"}}
            ),
        ],
    )
    case = replace(minimal_case("fake", "return"), external_id="2001", object_type="return")
    action = ActionRequest("refund", case.id, "idem-42", amount=Money("40.00", "EUR"))
    result = FakeMarketplace().perform_action(api_connection, case, action)
    assert result.external_id == "re_1"
    assert result.refunded == Money("40.00", "EUR")
    assert result.snapshot.status == "resolved"


@pytest.mark.parametrize(
    ("status", "headers", "transient", "retry_after"),
    [
        (429, {"Retry-After": "7"}, True, 7.0),
        (503, {}, True, None),
        (500, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, True, 0.0),
        (404, {}, False, None),
        (422, {"Retry-After": "7"}, False, None),
    ],
)
@responses.activate
def test_fake_action_errors(api_connection, status, headers, transient, retry_after):
    responses.post(f"{API}/disputes/1/actions", status=status, headers=headers, json={})
    case = replace(minimal_case("fake", "chargeback"), object_type="dispute")
    with pytest.raises(MarketplaceError) as info:
        FakeMarketplace().perform_action(api_connection, case, ActionRequest("accept", "c", "k"))
    assert info.value.transient is transient
    assert info.value.retry_after == retry_after
    assert info.value.platform_status == status
    assert not isinstance(info.value, UnsupportedError)


@responses.activate
def test_fake_action_timeout_is_transient(api_connection):
    responses.post(f"{API}/disputes/1/actions", body=requests.Timeout("slow"))
    case = replace(minimal_case("fake", "chargeback"), object_type="dispute")
    with pytest.raises(MarketplaceError) as info:
        FakeMarketplace().perform_action(api_connection, case, ActionRequest("contest", "c", "k"))
    assert info.value.transient is True


def test_retry_after_parsing():
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None
    future = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 55 <= retry_after_seconds(future) <= 60
