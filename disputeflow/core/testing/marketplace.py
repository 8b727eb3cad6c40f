"""Conformance tests for :class:`disputeflow.Marketplace` adapters.

These tests are for marketplace plugins to subclass, so that every adapter (built-in or
third-party) meets one contract. The test names are public API: moving or renaming a test
breaks plugins that skip it by name, so it is not done lightly.

How to use it, in the plugin's test suite::

    # tests/test_conformance.py of disputeflow-etsy
    import pytest

    from disputeflow.core.testing import MarketplaceAdapterTests
    from disputeflow_etsy.plugin import EtsyMarketplace


    class TestEtsy(MarketplaceAdapterTests):
        @pytest.fixture
        def marketplace(self):
            return EtsyMarketplace()

        @pytest.fixture
        def expected_snapshots(self):
            return {
                "case_opened": [{"kind": "claim", "status": "needs_response"}],
                "case_closed": [{"status": "resolved", "outcome": "merchant_favor"}],
            }

        @pytest.fixture
        def unknown_values_delivery(self, connection):
            payload = {"id": "9", "reason": "NEVER_SEEN", "status": "NEVER_SEEN_EITHER"}
            return etsy_signed_request(payload, secret=connection.settings["webhook_secret"])

Three fixtures must be overridden (each raises ``NotImplementedError`` here, and its
docstring is the data contract): ``marketplace``, ``expected_snapshots`` and
``unknown_values_delivery``. The kit provides ``settings`` (the adapter's
``example_settings()``), ``connection`` (built from those settings) and ``samples`` (the
adapter's ``sample_deliveries(connection)``); override them too if the plugin needs to.

Tests that read capabilities never ask for a marketplace by name: declare what the adapter
can do in :attr:`Marketplace.capabilities` and the kit checks both sides (declared methods
are implemented, undeclared ones raise :class:`~disputeflow.UnsupportedError`).

A test that cannot pass for a good reason is skipped by name, with the reason shown::

    class TestEtsy(MarketplaceAdapterTests):
        tests_to_skip = {"Etsy verifies with a key fetched online": ["test_wrong_secret_rejected"]}

Naming a test that does not exist fails, so a renamed test is noticed. The groups of tests
are also available as mixins (``BaseSettingsTests``, ``BaseWebhookTests`` ...), to adopt
one at a time while an adapter is being written.

Translation is exercised the way the host does it: verify the request, keep the headers
the adapter returned in :attr:`VerifiedDelivery.headers` (only those are stored), then
translate the stored delivery. Nothing here touches the network: calls that the contract
says must be refused are made against ``api_base_url`` = ``http://127.0.0.1:9``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

import pytest

from disputeflow.core.actions import ActionRequest
from disputeflow.core.capabilities import Capabilities
from disputeflow.core.case import Case
from disputeflow.core.errors import InvalidInputError, SignatureError, UnsupportedError
from disputeflow.core.marketplace import (
    NAME_PATTERN,
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    StoredDelivery,
    VerifiedDelivery,
)
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, Category

TEST_TIME = datetime(2026, 1, 1, tzinfo=UTC)
UNREACHABLE_API = "http://127.0.0.1:9"  # the discard port: a stray call fails at once

# Optional capability flag -> the Marketplace method that implements it.
OPTIONAL_METHODS: dict[str, str] = {
    "polling": "list_changes",
    "return_policy": "return_policy",
    "register_webhooks": "register_webhooks",
}


# -- helpers, public so that plugin tests can reuse them ---------------------------------


def make_connection(
    marketplace: Marketplace, settings: Mapping[str, Any], *, connection_id: str = "con_test"
) -> Connection:
    """A connection with validated ``settings`` and the webhook URL the host would give it."""
    return Connection(
        id=connection_id,
        platform=marketplace.name,
        name="test",
        settings=marketplace.validate_settings(settings),
        created_at=TEST_TIME,
        webhook_url=f"http://127.0.0.1:8000/webhooks/{marketplace.name}/{connection_id}",
    )


def store_delivery(
    marketplace: Marketplace,
    connection: Connection,
    verified: VerifiedDelivery,
    body: bytes,
    *,
    delivery_id: str = "dlv_test",
) -> StoredDelivery:
    """The delivery as the store keeps it: the body and only the headers the adapter kept."""
    return StoredDelivery(
        id=delivery_id,
        connection_id=connection.id,
        platform=marketplace.name,
        topic=verified.topic,
        dedup_key=verified.dedup_key,
        headers=dict(verified.headers),
        body=body,
        received_at=TEST_TIME,
    )


def translate_request(
    marketplace: Marketplace, connection: Connection, request: InboundRequest
) -> list[CaseSnapshot]:
    """Verify, store and translate one request, as the intake and the worker do."""
    verified = marketplace.verify_delivery(connection, request)
    stored = store_delivery(marketplace, connection, verified, request.body)
    return marketplace.translate_delivery(connection, stored)


def minimal_case(platform: str, kind: CaseKind | str, *, connection_id: str = "con_test") -> Case:
    """The smallest valid open case of ``kind``, for calling ``perform_action``."""
    return Case(
        id="case_test",
        connection_id=connection_id,
        platform=platform,
        object_type=str(kind),
        external_id="1",
        kind=CaseKind(kind),
        status=CaseStatus.NEEDS_RESPONSE,
        category=Category.OTHER,
        opened_at=TEST_TIME,
        updated_at=TEST_TIME,
        amount=Money("10.00", "EUR"),
    )


def _action_request(action: ActionType, case: Case) -> ActionRequest:
    return ActionRequest(
        type=action,
        case_id=case.id,
        idempotency_key="idem_conformance",
        amount=case.amount if action is ActionType.REFUND else None,
        message="conformance test",
    )


def _call_optional(marketplace: Marketplace, connection: Connection, flag: str) -> object:
    if flag == "polling":  # list_changes may be a generator: nothing runs until iterated
        return next(iter(marketplace.list_changes(connection, None)))
    if flag == "return_policy":
        return marketplace.return_policy(connection)
    return marketplace.register_webhooks(connection)


def _expect_unsupported(call: Callable[[], object], what: str) -> None:
    try:
        call()
    except UnsupportedError:
        return
    except Exception as error:
        pytest.fail(f"{what} raised {type(error).__name__}: {error}; expected UnsupportedError")
    pytest.fail(f"{what} did not raise UnsupportedError")


def _shift(char: str) -> str:
    """The next character of the same class (hex digit, digit, letter); others unchanged."""
    for alphabet in ("0123456789abcdef", "0123456789ABCDEF", "0123456789"):
        if char in alphabet:
            return alphabet[(alphabet.index(char) + 1) % len(alphabet)]
    if char.isascii() and char.isalpha():
        base = ord("a") if char.islower() else ord("A")
        return chr(base + (ord(char) - base + 1) % 26)
    return char


def _perturb(text: str) -> str:
    """Another value of the same shape and length (hex stays hex, base64 stays base64)."""
    changed = "".join(_shift(c) for c in text)
    return changed if changed != text else text + "x"


def _forge_one_byte(body: bytes) -> bytes:
    """Change one ASCII letter or digit near the middle, so a JSON body stays well formed."""
    positions = [i for i, b in enumerate(body) if chr(b).isascii() and chr(b).isalnum()]
    index = positions[len(positions) // 2] if positions else len(body) // 2
    new = _shift(chr(body[index])) if positions else chr(body[index] ^ 1)
    return body[:index] + new.encode("latin-1") + body[index + 1 :]


def _mismatches(
    expected: Mapping[str, Any], actual: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """Where ``expected`` is not a subset of ``actual`` (nested dicts compared as subsets)."""
    problems = []
    for key, want in expected.items():
        path = f"{prefix}{key}"
        if key not in actual:
            problems.append(f"{path}: no such key in CaseSnapshot.to_dict()")
        elif isinstance(want, Mapping) and isinstance(actual[key], Mapping):
            problems.extend(_mismatches(want, actual[key], f"{path}."))
        elif actual[key] != want:
            problems.append(f"{path}: expected {want!r}, got {actual[key]!r}")
    return problems


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _is_aware(value: datetime | None) -> bool:
    return value is None or (value.tzinfo is not None and value.utcoffset() is not None)


# -- fixtures -------------------------------------------------------------------------------


class MarketplaceFixtures:
    """The fixtures every group of tests uses: three to override, three provided."""

    #: reason -> names of tests to skip for that reason (shown in the pytest summary).
    tests_to_skip: ClassVar[dict[str, list[str]]] = {}

    @pytest.fixture(autouse=True)
    def _skip_listed_tests(self, request: pytest.FixtureRequest) -> None:
        self.check_tests_to_skip(request.function.__name__)

    def check_tests_to_skip(self, test_name: str) -> None:
        """Skip ``test_name`` if :attr:`tests_to_skip` lists it; fail on names that are not
        tests of this class, so that a renamed test is noticed."""
        known = {name for name in dir(type(self)) if name.startswith("test_")}
        listed = {name for names in self.tests_to_skip.values() for name in names}
        if listed - known:
            pytest.fail(f"tests_to_skip names tests that do not exist: {sorted(listed - known)}")
        for reason, names in self.tests_to_skip.items():
            if test_name in names:
                pytest.skip(reason)

    @pytest.fixture
    def marketplace(self) -> Marketplace:
        """The adapter under test: an instance of the plugin's Marketplace subclass.

        * it is what the plugin's ``disputeflow_register_marketplaces`` returns
        * it needs no network to construct
        """
        raise NotImplementedError("must be overridden")

    @pytest.fixture
    def expected_snapshots(self) -> dict[str, list[dict[str, Any]]]:
        """What each sample delivery translates to.

        * keys: exactly the names of ``marketplace.sample_deliveries(connection)``
        * values: one dict per snapshot, in the order ``translate_delivery`` returns them
          (an empty list for a delivery that concerns no case)
        * each dict is a subset of ``CaseSnapshot.to_dict()``: only the keys listed are
          compared; nested dicts (``amount``, ``buyer`` ...) are compared as subsets too,
          e.g. ``{"kind": "chargeback", "category": "fraud", "buyer": {"country": "DE"}}``
        """
        raise NotImplementedError("must be overridden")

    @pytest.fixture
    def unknown_values_delivery(self, connection: Connection) -> InboundRequest:
        """A delivery the plugin has never seen the like of, signed correctly.

        * signed for ``connection`` (the provided fixture), so ``verify_delivery`` accepts it
        * its platform reason and status values are ones the plugin's mappings do not know
        * both raw values appear verbatim in the body (the kit checks they are kept)
        * it concerns at least one case
        """
        raise NotImplementedError("must be overridden")

    @pytest.fixture
    def settings(self, marketplace: Marketplace) -> dict[str, Any]:
        """The adapter's ``example_settings()``."""
        return marketplace.example_settings()

    @pytest.fixture
    def connection(self, marketplace: Marketplace, settings: dict[str, Any]) -> Connection:
        """Connection ``con_test`` with validated ``settings``."""
        return make_connection(marketplace, settings)

    @pytest.fixture
    def samples(self, marketplace: Marketplace, connection: Connection) -> list[SampleDelivery]:
        """The adapter's ``sample_deliveries(connection)``."""
        return marketplace.sample_deliveries(connection)


# -- tests ------------------------------------------------------------------------------------


class BaseIdentityTests(MarketplaceFixtures):
    """Name, title and declared capabilities."""

    def test_name_is_valid(self, marketplace: Marketplace) -> None:
        assert isinstance(marketplace.name, str)
        assert NAME_PATTERN.match(marketplace.name), f"{marketplace.name!r} is not a valid name"
        assert isinstance(marketplace.title, str)
        assert marketplace.title.strip(), "title must be a non-empty display name"

    def test_capabilities_declared(self, marketplace: Marketplace) -> None:
        capabilities = marketplace.capabilities
        assert isinstance(capabilities, Capabilities)
        for kind, actions in capabilities.actions.items():
            assert isinstance(kind, CaseKind), f"{kind!r} is not a CaseKind"
            for action in actions:
                assert isinstance(action, ActionType), f"{action!r} is not an ActionType"
            assert ActionType.ADD_NOTE not in actions, "add_note is local, never a platform call"
        for flag in ("webhooks", "polling", "partial_refunds", *OPTIONAL_METHODS):
            assert isinstance(getattr(capabilities, flag), bool), f"{flag} must be a bool"
        assert capabilities.webhooks or capabilities.polling, "cases need webhooks or polling"
        json.dumps(capabilities.to_dict())


class BaseSettingsTests(MarketplaceFixtures):
    """The settings schema: validation, required and secret fields, ``api_base_url``."""

    def test_example_settings_validate(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        loaded = marketplace.validate_settings(settings)
        assert isinstance(loaded, dict)
        assert loaded == marketplace.validate_settings(settings)
        assert settings == marketplace.example_settings(), "validation must not mutate input"

    def test_settings_unknown_field_rejected(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        with pytest.raises(InvalidInputError, match="no_such_setting"):
            marketplace.validate_settings({**settings, "no_such_setting": "1"})

    def test_settings_missing_required_rejected(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        declared = marketplace.settings_schema().fields
        required = [field.data_key or name for name, field in declared.items() if field.required]
        assert set(required) <= set(settings), "example settings lack a required field"
        for name in required:
            incomplete = {key: value for key, value in settings.items() if key != name}
            with pytest.raises(InvalidInputError) as info:
                marketplace.validate_settings(incomplete)
            assert name in str(info.value), f"the error for missing {name!r} must name it"

    def test_secret_fields_exist_in_schema(self, marketplace: Marketplace) -> None:
        declared = marketplace.settings_schema().fields
        secrets = marketplace.secret_fields()
        assert secrets <= set(declared), (
            f"secret fields not in the schema: {secrets - set(declared)}"
        )
        for name in secrets:
            assert declared[name].metadata.get("secret") is True
        if marketplace.capabilities.webhooks:
            assert secrets, 'webhook signatures need a setting marked metadata={"secret": True}'

    def test_api_base_url_accepted(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        url = "http://127.0.0.1:8123/fake-api"
        assert (
            marketplace.validate_settings({**settings, "api_base_url": url})["api_base_url"] == url
        )


class BaseWebhookTests(MarketplaceFixtures):
    """Sample deliveries and their verification: signatures, dedup keys, secrets."""

    def test_has_sample_deliveries(self, samples: list[SampleDelivery]) -> None:
        assert samples, "sample_deliveries must return at least one delivery"
        names = [sample.name for sample in samples]
        assert len(set(names)) == len(names), f"sample names must be unique: {names}"
        for sample in samples:
            assert isinstance(sample, SampleDelivery)
            assert _is_text(sample.name)
            assert isinstance(sample.request, InboundRequest)
            assert sample.request.method.upper() == "POST"
            assert isinstance(sample.request.body, bytes)
            assert sample.request.body, f"{sample.name}: empty body"

    def test_sample_deliveries_verify(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            verified = marketplace.verify_delivery(connection, sample.request)
            assert isinstance(verified, VerifiedDelivery), sample.name
            assert _is_text(verified.dedup_key), sample.name
            assert _is_text(verified.topic), sample.name
            assert all(
                isinstance(k, str) and isinstance(v, str) for k, v in verified.headers.items()
            )
            assert _is_aware(verified.occurred_at), f"{sample.name}: occurred_at must be aware"

    def test_forged_body_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            forged = replace(sample.request, body=_forge_one_byte(sample.request.body))
            assert forged.body != sample.request.body
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(connection, forged)

    def test_wrong_secret_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        settings = dict(connection.settings)
        replaced = [n for n in marketplace.secret_fields() if isinstance(settings.get(n), str)]
        assert replaced, (
            "no secret string setting to replace; see test_secret_fields_exist_in_schema"
        )
        for name in replaced:
            settings[name] = _perturb(settings[name])
        impostor = replace(connection, settings=settings)
        for sample in samples:
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(impostor, sample.request)

    def test_forged_signature_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        """Removing any one header passes or raises SignatureError (never another error);
        some header must matter, and a request without headers is always refused."""
        for sample in samples:
            headers = dict(sample.request.headers)
            needed = []
            for name in headers:
                stripped = {key: value for key, value in headers.items() if key != name}
                try:
                    marketplace.verify_delivery(
                        connection, replace(sample.request, headers=stripped)
                    )
                except SignatureError:
                    needed.append(name)
            assert needed, f"{sample.name}: verification needs none of the headers {list(headers)}"
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(connection, replace(sample.request, headers={}))

    def test_duplicate_delivery_same_dedup_key(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            first = marketplace.verify_delivery(connection, sample.request)
            again = marketplace.verify_delivery(connection, sample.request)
            assert first.dedup_key == again.dedup_key, sample.name

    def test_distinct_deliveries_distinct_dedup_keys(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        keys = [marketplace.verify_delivery(connection, s.request).dedup_key for s in samples]
        assert len(set(keys)) == len(keys), f"distinct samples share a dedup key: {keys}"

    def test_secrets_not_kept(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        secrets = [
            value
            for name in marketplace.secret_fields()
            if isinstance(value := connection.settings.get(name), str) and len(value) >= 4
        ]
        for sample in samples:
            verified = marketplace.verify_delivery(connection, sample.request)
            kept = json.dumps(dict(verified.headers)) + " ".join(
                json.dumps(s.to_dict())
                for s in translate_request(marketplace, connection, sample.request)
            )
            for secret in secrets:
                assert secret not in kept, f"{sample.name}: a secret setting is kept in the store"


class BaseTranslationTests(MarketplaceFixtures):
    """Translation into CaseSnapshots: expected values, purity, shape, unknown values."""

    def test_translation_matches_expected(
        self,
        marketplace: Marketplace,
        connection: Connection,
        samples: list[SampleDelivery],
        expected_snapshots: dict[str, list[dict[str, Any]]],
    ) -> None:
        assert set(expected_snapshots) == {s.name for s in samples}, "one entry per sample"
        for sample in samples:
            snapshots = translate_request(marketplace, connection, sample.request)
            expected = expected_snapshots[sample.name]
            assert len(snapshots) == len(expected), f"{sample.name}: snapshot count"
            for position, (snapshot, want) in enumerate(zip(snapshots, expected, strict=True)):
                problems = _mismatches(want, snapshot.to_dict())
                assert not problems, f"{sample.name}[{position}]: " + "; ".join(problems)

    def test_retranslation_is_idempotent(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            first = translate_request(marketplace, connection, sample.request)
            again = translate_request(marketplace, connection, sample.request)
            assert [s.to_dict() for s in first] == [s.to_dict() for s in again], sample.name
            assert [s.fingerprint for s in first] == [s.fingerprint for s in again], sample.name

    def test_snapshots_well_formed(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        snapshots = [
            snapshot
            for sample in samples
            for snapshot in translate_request(marketplace, connection, sample.request)
        ]
        assert snapshots, "the sample deliveries must concern at least one case"
        for snapshot in snapshots:
            assert isinstance(snapshot, CaseSnapshot)
            assert snapshot.platform == marketplace.name
            assert _is_text(snapshot.external_id), snapshot.external_id
            assert _is_text(snapshot.object_type), snapshot.object_type
            assert _is_aware(snapshot.observed_at)
            assert _is_aware(snapshot.opened_at)
            for money in (snapshot.amount, snapshot.refunded):
                assert money is None or isinstance(money, Money)
            if snapshot.order is not None:
                assert snapshot.order.total is None or isinstance(snapshot.order.total, Money)
                assert _is_aware(snapshot.order.placed_at)
            assert all(_is_aware(deadline.due_at) for deadline in snapshot.deadlines or ())
            data = snapshot.to_dict()
            json.dumps(data)
            again = CaseSnapshot.from_dict(data)
            assert again.to_dict() == data
            assert again.fingerprint == snapshot.fingerprint

    def test_unknown_values_do_not_crash(
        self,
        marketplace: Marketplace,
        connection: Connection,
        unknown_values_delivery: InboundRequest,
    ) -> None:
        snapshots = translate_request(marketplace, connection, unknown_values_delivery)
        assert snapshots, "the unknown-values delivery must concern at least one case"
        body = unknown_values_delivery.body.decode("utf-8", "replace")
        for snapshot in snapshots:
            assert snapshot.category in (None, Category.OTHER), snapshot.category
            assert snapshot.status is None or isinstance(snapshot.status, CaseStatus)
            for raw in (snapshot.platform_reason, snapshot.platform_status):
                assert raw, "the raw platform reason and status must be kept"
                assert raw in body, f"{raw!r} is not the raw value from the delivery"


class BaseCapabilityTests(MarketplaceFixtures):
    """Declared capabilities are implemented; undeclared ones raise UnsupportedError."""

    def test_undeclared_capabilities_unsupported(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        offline = make_connection(marketplace, {**settings, "api_base_url": UNREACHABLE_API})
        capabilities = marketplace.capabilities
        for flag in OPTIONAL_METHODS:
            if not getattr(capabilities, flag):
                _expect_unsupported(
                    partial(_call_optional, marketplace, offline, flag),
                    f"{OPTIONAL_METHODS[flag]} (capability {flag} is False)",
                )
        for kind in CaseKind:
            case = minimal_case(marketplace.name, kind, connection_id=offline.id)
            for action in ActionType:
                if not capabilities.supports(kind, action):
                    request = _action_request(action, case)
                    _expect_unsupported(
                        partial(marketplace.perform_action, offline, case, request),
                        f"perform_action({action}) on a {kind} case",
                    )

    def test_declared_capabilities_implemented(self, marketplace: Marketplace) -> None:
        adapter = type(marketplace)
        capabilities = marketplace.capabilities
        for flag, method in OPTIONAL_METHODS.items():
            if getattr(capabilities, flag):
                assert getattr(adapter, method) is not getattr(Marketplace, method), (
                    f"capability {flag} is declared but {method} is not implemented"
                )
        if capabilities.all_actions():
            assert adapter.perform_action is not Marketplace.perform_action, (
                "actions are declared but perform_action is not implemented"
            )


class MarketplaceAdapterTests(
    BaseIdentityTests,
    BaseSettingsTests,
    BaseWebhookTests,
    BaseTranslationTests,
    BaseCapabilityTests,
):
    """Every conformance test: subclass it as ``class TestMyMarketplace(MarketplaceAdapterTests)``
    and override the ``marketplace``, ``expected_snapshots`` and ``unknown_values_delivery``
    fixtures."""
