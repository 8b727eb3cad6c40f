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

Naming a test that does not exist fails. The groups are mixins too (``BaseWebhookTests``,
``BaseUpdateOnlyTests`` ...), to adopt one at a time.

Translation runs as in the host: verify, keep only the headers the adapter returned in
:attr:`VerifiedDelivery.headers`, translate the stored delivery. No network: calls the
contract says must be refused go to ``api_base_url`` = ``http://127.0.0.1:9``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from typing import Any

import pytest

from disputeflow.core.capabilities import Capabilities
from disputeflow.core.errors import InvalidInputError, SignatureError
from disputeflow.core.marketplace import (
    NAME_PATTERN,
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    VerifiedDelivery,
)
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, Category
from disputeflow.core.testing.support import (
    OPTIONAL_METHODS,
    UNREACHABLE_API,
    MarketplaceFixtures,
    _action_request,
    _call_optional,
    _expect_unsupported,
    _forge_one_byte,
    _is_aware,
    _is_text,
    _mismatches,
    _perturb,
    make_connection,
    minimal_case,
    snapshots_of,
    translate_request,
)
from disputeflow.core.testing.update_only import BaseUpdateOnlyTests


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
            fingerprints = [s.fingerprint for s in snapshots_of(first)]
            assert fingerprints == [s.fingerprint for s in snapshots_of(again)], sample.name

    def test_snapshots_well_formed(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        items = [
            item
            for sample in samples
            for item in translate_request(marketplace, connection, sample.request)
        ]
        for item in items:
            json.dumps(item.to_dict())  # effects, too, have a JSON form
        snapshots = snapshots_of(items)
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
        snapshots = snapshots_of(
            translate_request(marketplace, connection, unknown_values_delivery)
        )
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
    BaseUpdateOnlyTests,
    BaseCapabilityTests,
):
    """Every conformance test: subclass it and override the ``marketplace``,
    ``expected_snapshots`` and ``unknown_values_delivery`` fixtures."""
