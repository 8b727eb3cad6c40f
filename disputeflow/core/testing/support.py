"""Helpers of the conformance kit, public so that plugin tests can reuse them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from disputeflow.core.actions import ActionRequest
from disputeflow.core.case import Case
from disputeflow.core.effects import Translation
from disputeflow.core.errors import UnsupportedError
from disputeflow.core.marketplace import (
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    StoredDelivery,
    VerifiedDelivery,
)
from disputeflow.core.merge import fold
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
    "order_lookup": "find_order",
    "buyer_messages": "send_buyer_message",
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
) -> list[Translation]:
    """Verify, store and translate one request, as the intake and the worker do."""
    verified = marketplace.verify_delivery(connection, request)
    stored = store_delivery(marketplace, connection, verified, request.body)
    return list(marketplace.translate_delivery(connection, stored))


def snapshots_of(items: list[Translation]) -> list[CaseSnapshot]:
    """The case snapshots among a translation's items (effects left out)."""
    return [item for item in items if isinstance(item, CaseSnapshot)]


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


def sample_cases(
    marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
) -> dict[CaseKind, Case]:
    """A case of each kind the samples open, folded as the core keeps it (open ones first)."""
    found: dict[tuple[str, str], list[CaseSnapshot]] = {}
    for sample in samples:
        for item in snapshots_of(translate_request(marketplace, connection, sample.request)):
            found.setdefault((item.object_type, item.external_id), []).append(item)
    folded = [fold(i, case_id="case_test", connection_id=connection.id) for i in found.values()
              if not all(item.update_only for item in i)]  # fmt: skip
    return {c.kind: c for c in sorted(folded, key=lambda c: c.status != CaseStatus.RESOLVED)}


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
    if flag == "order_lookup":
        return marketplace.find_order(connection, "1001", "buyer@example.org")
    if flag == "buyer_messages":
        case = minimal_case(marketplace.name, "return", connection_id=connection.id)
        return marketplace.send_buyer_message(connection, case, "hello", "idem-test")
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
    """A datetime with a UTC offset; ``None`` is not aware (optional fields say so themselves)."""
    return (
        isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None
    )


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
    def action_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """``settings``, plus what acting needs that an install flow gives (a token)."""
        return settings

    @pytest.fixture
    def connection(self, marketplace: Marketplace, settings: dict[str, Any]) -> Connection:
        """Connection ``con_test`` with validated ``settings``."""
        return make_connection(marketplace, settings)

    @pytest.fixture
    def samples(self, marketplace: Marketplace, connection: Connection) -> list[SampleDelivery]:
        """The adapter's ``sample_deliveries(connection)``."""
        return marketplace.sample_deliveries(connection)


# -- tests ------------------------------------------------------------------------------------
