"""Conformance tests for :class:`disputeflow.Marketplace` adapters.

Every adapter, built-in or third-party, subclasses :class:`MarketplaceAdapterTests` in its
test suite and overrides three fixtures, whose docstrings are the data contract:
``marketplace``, ``expected_snapshots`` and ``unknown_values_delivery``. The kit provides
``settings``, ``action_settings``, ``connection`` and ``samples``; docs/writing-a-plugin.md
(section 11) shows a whole test module, docs/testing.md the rules, test by test.

The test names are public API: a test that cannot pass for a good reason is skipped by
name (``tests_to_skip = {"reason": ["test_wrong_secret_rejected"]}``), and naming a test
that does not exist fails. The groups are mixins too (``BaseWebhookTests``,
``BaseUpdateOnlyTests`` ...), to adopt one at a time. Capabilities are read from
:attr:`Marketplace.capabilities`, never from a marketplace's name. ``time-machine`` and
``responses`` belong in the plugin's test dependencies (without them two tests are skipped).

Translation runs as in the host: verify, keep only the headers the adapter returned in
:attr:`VerifiedDelivery.headers`, translate the stored delivery. No network: calls the
contract says must be refused go to ``api_base_url`` = ``http://127.0.0.1:9``.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from disputeflow.core.capabilities import Capabilities
from disputeflow.core.errors import DisputeflowError, InvalidInputError, UnsupportedError
from disputeflow.core.marketplace import (
    NAME_PATTERN,
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
)
from disputeflow.core.money import Money
from disputeflow.core.snapshot import CaseSnapshot
from disputeflow.core.taxonomy import ActionType, CaseKind, CaseStatus, Category
from disputeflow.core.testing.probes import WALL_CLOCKS, looks_like_credential, recorded_calls
from disputeflow.core.testing.support import (
    OPTIONAL_METHODS,
    UNREACHABLE_API,
    MarketplaceFixtures,
    _action_request,
    _call_optional,
    _expect_unsupported,
    _is_aware,
    _is_text,
    _mismatches,
    make_connection,
    minimal_case,
    sample_cases,
    snapshots_of,
    store_delivery,
    translate_request,
)
from disputeflow.core.testing.update_only import BaseUpdateOnlyTests
from disputeflow.core.testing.webhooks import BaseWebhookTests


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

    def test_credential_settings_marked_secret(self, marketplace: Marketplace) -> None:
        """A setting whose name ends with a credential word (secret, token, password,
        passphrase, key, credential(s): ``api_key``, ``accessToken``) is marked
        ``metadata={"secret": True}``, so it is encrypted at rest and never shown; a field
        that only looks like one says so with ``metadata={"secret": False}``."""
        for name, field in marketplace.settings_schema().fields.items():
            key = field.data_key or name
            if not (looks_like_credential(name) or looks_like_credential(key)):
                continue
            marked = field.metadata.get("secret")
            assert marked is not None, (
                f"setting {key!r} looks like a credential but is not marked "
                'metadata={"secret": True} (or {"secret": False} if it is not one)'
            )
            assert isinstance(marked, bool), f"setting {key!r}: secret must be True or False"

    def test_api_base_url_accepted(
        self, marketplace: Marketplace, settings: dict[str, Any]
    ) -> None:
        url = "http://127.0.0.1:8123/fake-api"
        assert (
            marketplace.validate_settings({**settings, "api_base_url": url})["api_base_url"] == url
        )


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

    def test_translation_ignores_wall_clock(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        """The same stored delivery translates the same under two frozen wall clocks years
        apart: ``observed_at`` and every other time come from the delivery, never the clock
        (else a redelivered or replayed message would look newer than it is)."""
        time_machine = pytest.importorskip(
            "time_machine", reason="install time-machine to check translation ignores the clock"
        )
        for sample in samples:
            verified = marketplace.verify_delivery(connection, sample.request)
            stored = store_delivery(marketplace, connection, verified, sample.request.body)
            translations = []
            for moment in WALL_CLOCKS:
                with time_machine.travel(moment, tick=False):
                    items = marketplace.translate_delivery(connection, stored)
                    translations.append([item.to_dict() for item in items])
            assert translations[0] == translations[1], (
                f"{sample.name}: the translation reads the wall clock (observed_at and other "
                "times must come from the delivery)"
            )

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
            assert snapshot.opened_at is None or _is_aware(snapshot.opened_at)
            for money in (snapshot.amount, snapshot.refunded):
                assert money is None or isinstance(money, Money)
            if snapshot.order is not None:
                assert snapshot.order.total is None or isinstance(snapshot.order.total, Money)
                placed = snapshot.order.placed_at
                assert placed is None or _is_aware(placed)
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

    def test_declared_actions_implemented(self, marketplace: Marketplace, connection: Connection,
            samples: list[SampleDelivery], action_settings: dict[str, Any]) -> None:  # fmt: skip
        """Each declared action, on a case of its kind from the samples (else the minimal
        case), with every call answered 404: it asks ``api_base_url``, or refuses first with
        a DisputeflowError that is not transient; at least one asks (docs/testing.md)."""
        acting = make_connection(marketplace, {**action_settings, "api_base_url": UNREACHABLE_API})
        cases = sample_cases(marketplace, connection, samples)
        reached = []
        for kind, actions in marketplace.capabilities.actions.items():
            case = cases.get(kind) or minimal_case(marketplace.name, kind, connection_id=acting.id)
            for action in actions:
                what = f"{action} on {kind} case {case.external_id}"
                with recorded_calls() as calls:
                    ended: object
                    try:
                        ended = marketplace.perform_action(
                            acting, case, _action_request(action, case)
                        )
                    except Exception as error:  # judged below
                        ended = error
                if isinstance(ended, UnsupportedError | NotImplementedError):
                    pytest.fail(f"{action} is declared for {kind} cases but not implemented")
                assert all(c.split()[1].startswith(UNREACHABLE_API) for c in calls), calls
                reached += [what] if calls else []
                refused = isinstance(ended, DisputeflowError) and not getattr(ended, "transient", 0)
                assert calls or refused, f"{what} asked nothing, ended {ended!r}"
        assert reached or not marketplace.capabilities.all_actions(), "no action asks the platform"


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
